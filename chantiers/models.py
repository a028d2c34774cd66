"""Models of this step arrive with its issue; the spine lives in roadmap.models."""
