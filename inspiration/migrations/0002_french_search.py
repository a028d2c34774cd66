"""French full-text search that ignores accents, and trigram matching for names.

- `inspiration_fold(text)`: an IMMUTABLE accent folding written in SQL, applied to documents and queries alike, so
  that « mediatheque » finds « médiathèque » on any server;
- the `french_unaccent` text search configuration: a copy of `french` whose words also go through the `unaccent`
  dictionary when the server has the extension (PostgreSQL's contrib: Debian's postgresql-contrib, the official
  images); the project-local pgserver build ships without contrib, where the folding above does the work;
- `pg_trgm` with a trigram GIN index on the folded title, where the server has it (the search falls back to a
  substring match otherwise: inspiration/search.py `has_trigrams`).
"""

from django.db import migrations

ACCENTED = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸ"
PLAIN = "aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUYY"

FOLD = f"""
CREATE OR REPLACE FUNCTION inspiration_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT replace(replace(replace(replace(translate(value, '{ACCENTED}', '{PLAIN}'),
         'œ', 'oe'), 'Œ', 'OE'), 'æ', 'ae'), 'Æ', 'AE')
$$;
"""


def available(schema_editor, name: str) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = %s", [name])
        return cursor.fetchone() is not None


def forwards(apps, schema_editor) -> None:
    execute = schema_editor.execute
    execute(FOLD)
    execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent")
    execute("CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french)")
    if available(schema_editor, "unaccent"):
        execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        execute(
            "ALTER TEXT SEARCH CONFIGURATION french_unaccent "
            "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem"
        )
    if available(schema_editor, "pg_trgm"):
        execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        execute(
            "CREATE INDEX IF NOT EXISTS experience_title_trgm ON inspiration_experience "
            "USING gin (inspiration_fold(title) gin_trgm_ops) WITH (fastupdate = off)"
        )


def backwards(apps, schema_editor) -> None:
    execute = schema_editor.execute
    execute("DROP INDEX IF EXISTS experience_title_trgm")
    execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent")
    execute("DROP FUNCTION IF EXISTS inspiration_fold(text)")


class Migration(migrations.Migration):
    dependencies = [("inspiration", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
