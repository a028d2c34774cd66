"""A participant's phone at 360×740: long French words of the ballot break with a hyphen, and nothing sticks out
of the screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.conftest import Tenant
from tests.workshops.factories import ItemFactory, WorkshopFactory, WorkshopGroupFactory
from workshops import actions
from workshops.models import Stage

LIVE_TIMEOUT = 5_000
LABELS = [
    "Accompagnement intergénérationnel",
    "Médiation numérique itinérante",
    "Accessibilité des démarches dématérialisées",
    "Intercommunalité connectée",
    "Fibre partout",
    "Ateliers intergénérationnels",
]

# Where each label's lines break: [text before the break, text after], found by measuring each character.
LINE_BREAKS = """() => [...document.querySelectorAll('.ballot .label')].flatMap((label) => {
  const node = label.firstChild, text = node.textContent, breaks = [];
  let lastTop = null;
  for (let i = 0; i < text.length; i++) {
    const range = document.createRange();
    range.setStart(node, i);
    range.setEnd(node, i + 1);
    // The last box: after a cut, Chromium gives the character the hyphen's box at the end of the line too.
    const rect = [...range.getClientRects()].filter((r) => r.width > 0).pop();
    if (!rect || text[i] === ' ' || text[i] === '\\u00ad') continue;
    if (lastTop !== null && rect.top > lastTop + 2) breaks.push([text.slice(0, i), text.slice(i)]);
    lastTop = rect.top;
  }
  return breaks;
})"""

# Every element whose box goes past the screen's right edge, or whose text is wider than its box.
OVERFLOWS = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.left < -0.5 || r.right > innerWidth + 0.5) bad.push(['outside', el.className, el.textContent.slice(0, 40)]);
  }
  for (const el of document.querySelectorAll('.ballot .label, .question, h1, p, .envelope')) {
    if (el.scrollWidth > el.clientWidth + 1) bad.push(['cut', el.className, el.textContent.trim().slice(0, 40)]);
  }
  if (document.documentElement.scrollWidth > innerWidth) bad.push(['page', document.documentElement.scrollWidth]);
  return bad;
}"""


def test_long_words_of_the_ballot_break_with_a_hyphen_and_nothing_overflows(
    open_page: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    workshop = WorkshopFactory(organization=tenant_a.organization, roadmap=tenant_a.roadmap, title="Atelier à Thiviers")
    group = WorkshopGroupFactory(
        organization=tenant_a.organization, workshop=workshop, name="Groupe 1", stage=Stage.COLLECTION
    )
    for n, label in enumerate(LABELS, start=1):
        ItemFactory(organization=tenant_a.organization, group=group, number=n, label=label)
    phone = open_page("phone")  # 360×740
    phone.goto(reverse("workshops:participant_page", kwargs={"code": group.code}))
    phone.get_by_label("Votre prénom (facultatif)").fill("Maëlys")
    phone.get_by_role("button", name="Participer").click()
    expect(phone.get_by_role("heading", name="Vos idées")).to_be_visible()
    actions.set_stage(group, Stage.VOTE)
    expect(phone.get_by_role("heading", name="Distribuez vos points")).to_be_visible(timeout=LIVE_TIMEOUT)
    assert phone.evaluate("() => document.documentElement.lang") == "fr"  # what `hyphens: auto` cuts by
    # The labels are still found by what they say.
    expect(phone.get_by_label("Accompagnement intergénérationnel")).to_have_value("0")

    screenshot(phone, "workshop-phone-ballot-360")
    breaks: list[Any] = phone.evaluate(LINE_BREAKS)
    assert breaks, "the long labels should need more than one line at 360 px"
    mid_word = [(before, after) for before, after in breaks if not before.endswith((" ", "\u00ad"))]
    assert not mid_word, mid_word
    cut_words = [(before[-12:], after[:12]) for before, after in breaks if before.endswith("\u00ad")]
    assert cut_words, breaks  # at 360 px « intergénérationnel » does not fit a line: it is cut, with a hyphen
    assert not phone.evaluate(OVERFLOWS)
