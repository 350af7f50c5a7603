"""Every word a page or an e-mail shows has its Portuguese, and the language
follows the reader."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from servefirst.kit import i18n

SOURCE = Path(i18n.__file__).parents[1]  # src/servefirst
METHODS = [
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.txt", "jinja2"),
    ("**.py", "python"),
]
OPTIONS = {"**/templates/**": {"extensions": "jinja2.ext.i18n"}}


def marked_in_context() -> set[tuple[str | None, str]]:
    """(context, words) of every marked word; the context of ``pgettext``'s, else None."""
    found: set[tuple[str | None, str]] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(SOURCE), METHODS, OPTIONS
    ):
        found.add((context, message[0] if isinstance(message, tuple) else message))
    return found


def marked_words() -> set[str]:
    return {words for _context, words in marked_in_context()}


def test_every_marked_word_has_its_portuguese() -> None:
    """Words in a context ("Won", of a dispute) are looked up in it, as pages do."""
    portuguese = i18n.translations("pt")
    missing = sorted(
        (context or "") + "|" + words
        for context, words in marked_in_context()
        if (portuguese.pgettext(context, words) if context else portuguese.gettext(words)) == words
    )
    assert missing == [], f"no Portuguese in servefirst/locales/pt/LC_MESSAGES/*.po for: {missing}"


def test_words_are_found_in_the_templates() -> None:
    assert "Not allowed" in marked_words()


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("pt-PT,pt;q=0.9,en;q=0.8", "pt"),
        ("en-GB,en;q=0.9,pt;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,pt-BR;q=0.5", "pt"),
        ("de", "en"),
        ("", "en"),
        (None, "en"),
        ("pt;q=0, en;q=0.1", "en"),
        ("pt;q=abc", "en"),
        ("PT-br", "pt"),
    ],
)
def test_a_browser_gets_the_shipped_language_it_prefers(header: str | None, language: str) -> None:
    assert i18n.negotiate(header) == language


def test_a_locale_speaks_its_language() -> None:
    assert i18n.language_of("pt_PT") == "pt"
    assert i18n.language_of("pt-BR") == "pt"
    assert i18n.language_of("en_GB") == "en"
    assert i18n.language_of("ja_JP") == "en"


def test_words_follow_the_language_of_the_block() -> None:
    with i18n.use_language("pt_PT"):
        assert i18n.gettext("Not allowed") == "Não permitido"
    assert i18n.gettext("Not allowed") == "Not allowed"


def test_no_trans_block_holds_a_percent_sign() -> None:
    """Jinja looks a ``{% trans %}`` block up with each ``%`` doubled, while
    Babel extracts it as written: its Portuguese would never be found. A
    percent sign goes in ``_("... %% ...")`` instead, looked up as extracted."""
    block = re.compile(r"\{%-?\s*trans\b[^%]*%\}(.*?)\{%-?\s*endtrans", re.S)
    offending = [
        f"{path.relative_to(SOURCE)}: {text.strip()}"
        for path in SOURCE.glob("**/templates/**/*")
        if path.suffix in {".html", ".txt"}
        for text in block.findall(path.read_text(encoding="utf-8"))
        if "%" in re.sub(r"\{%.*?%\}|\{\{.*?\}\}", "", text, flags=re.S)
    ]
    assert offending == []


def test_a_percent_label_reads_in_portuguese() -> None:
    from jinja2 import Environment

    env = Environment(extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(i18n.translations("pt"), newstyle=True)  # type: ignore[attr-defined]
    said = env.from_string('{{ _("Deposit (%% of the price)") }}').render()
    assert said == "Sinal (% do preço)"


def test_no_two_catalogs_say_the_same_words_differently() -> None:
    """Every .po file is merged into one catalog: a msgid given two different
    translations would take whichever file loads last."""
    from babel.messages.pofile import read_po

    said: dict[str, tuple[str, str]] = {}
    clashes = []
    for po in sorted((i18n.LOCALES_DIR / "pt" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as handle:
            for message in read_po(handle):
                if not message.id:
                    continue
                key, words = f"{message.context or ''}|{message.id}", str(message.string)
                if key in said and said[key][1] != words:
                    clashes.append(f"{key!r}: {said[key][0]} vs {po.name}")
                said.setdefault(key, (po.name, words))
    assert clashes == []


def test_words_in_context_keep_their_own_portuguese() -> None:
    from servefirst.web.templating import templates

    page = templates.env.from_string('{{ _("Open") }} · {{ pgettext("dispute", "Open") }}')
    with i18n.use_language("pt"):
        assert page.render() == "Abrir · Aberta"
    with i18n.use_language("en"):
        assert page.render() == "Open · Open"


def test_no_portuguese_entry_is_untranslated_or_fuzzy() -> None:
    """A fuzzy entry is dropped when the catalog is compiled (the page falls
    back to English) and an empty one says nothing: neither may ship."""
    from babel.messages.pofile import read_po

    unfinished = []
    for po in sorted((i18n.LOCALES_DIR / "pt" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as handle:
            for message in read_po(handle):
                if not message.id:
                    continue
                forms = message.string if isinstance(message.string, tuple) else (message.string,)
                if message.fuzzy or not all(forms):
                    unfinished.append(f"{po.name}: {message.id!r}")
    assert unfinished == []


def test_portuguese_says_european_words_and_no_one_is_addressed_as_voce() -> None:
    """European Portuguese: "ecrã", "telemóvel", "registo", "utilizador"; and
    the reader is addressed in the third person, never "você"."""
    from babel.messages.pofile import read_po

    brazilian = re.compile(
        r"\b(você|vocês|tela|celular|cadastro|usuário|arquivo|equipe|contato|registro|senha)\b",
        re.IGNORECASE,
    )
    found = []
    for po in sorted((i18n.LOCALES_DIR / "pt" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as handle:
            for message in read_po(handle):
                forms = message.string if isinstance(message.string, tuple) else (message.string,)
                found += [f"{po.name}: {f}" for f in forms if f and brazilian.search(f)]
    assert found == []


def test_the_access_levels_read_the_same_for_anyone_in_portuguese() -> None:
    with i18n.use_language("pt"):
        assert [i18n.gettext(level) for level in ("owner", "manager", "staff")] == [
            "titular",
            "gerente",
            "equipa",
        ]


def test_portuguese_never_puts_an_article_or_preposition_before_a_name_it_cannot_know() -> None:
    """A business's or a service's name has a gender Portuguese needs ("do
    Café Azul", "da Barbearia Lume", "um galão", "uma tosta") and servefirst
    cannot know it: "recibo de Café Azul" or "um tosta grátis" read as a
    machine's. The name stands alone instead ("Café Azul: o seu recibo",
    "galão grátis"), as the subject of its sentence or after a colon or dash."""
    from babel.messages.pofile import read_po

    name = r"(\{business\}|%\((business|service|reward)\)s)"
    before = re.compile(rf"\b(de|em|a|ao|para|por|com|um|uma|o)\s+{name}", re.IGNORECASE)
    found = []
    for po in sorted((i18n.LOCALES_DIR / "pt" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as handle:
            for message in read_po(handle):
                forms = message.string if isinstance(message.string, tuple) else (message.string,)
                found += [f"{po.name}: {f}" for f in forms if f and before.search(f)]
    assert found == []


def test_portuguese_says_one_word_for_each_thing() -> None:
    """The catalogs call a tab "conta", a deposit "sinal", a card hold
    "cativação", a business "negócio" or "estabelecimento", cash on the
    console "numerário", a link "ligação" and a check-in "chegada": a second
    word for the same thing makes a reader wonder whether it is something else.
    Held money may be "cativo" ("o valor cativo no seu cartão"), but the
    hold itself is never "um cativo" ("Cativo de 6,00 €")."""
    from babel.messages.pofile import read_po

    other = re.compile(
        r"\b(comanda|separador|caução|depósito|retenção|comerciante|loja|"
        r"escolha dinheiro|link|check-in|cativo de|o cativo|um cativo)\b",
        re.IGNORECASE,
    )
    found = []
    for po in sorted((i18n.LOCALES_DIR / "pt" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as handle:
            for message in read_po(handle):
                forms = message.string if isinstance(message.string, tuple) else (message.string,)
                found += [f"{po.name}: {f}" for f in forms if f and other.search(f)]
    assert found == []


def test_portuguese_never_makes_an_amount_the_subject_of_a_plural_verb() -> None:
    """An amount is one euro as often as several: "1,00 € do seu sinal não
    puderam voltar" reads wrong, and so would "1,00 € não pôde" for 2,00 €.
    The sentence is turned so the amount agrees with nothing ("Não foi
    possível devolver 1,00 € …", "O seu cartão vai receber de volta 2,00 €")."""
    from babel.messages.pofile import read_po

    amount = r"%\((amount|back|fee|move_fee|deposit|refunded|pending|refused)\)s"
    plural = r"puderam|voltaram|estão|são|ficam|ficaram|foram|serão|vão|podem|passaram|chegaram"
    subject = re.compile(rf"{amount}( do( seu)? sinal)?,? (não )?({plural})\b")
    found = []
    for po in sorted((i18n.LOCALES_DIR / "pt" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as handle:
            for message in read_po(handle):
                forms = message.string if isinstance(message.string, tuple) else (message.string,)
                found += [f"{po.name}: {f}" for f in forms if f and subject.search(f)]
    assert found == []


def test_portuguese_never_agrees_a_participle_with_an_amount() -> None:
    """A participle after an amount agrees with it as a plural verb would:
    "1,00 € devolvidos" and "2,00 € reembolsado" each read wrong for one of
    them. The amount stands where nothing agrees with it: after a noun's colon
    ("Devolução ao seu cartão: 6,00 €"), or after "de" when the participle is
    that noun's ("Sinal de 6,00 € devolvido", "Taxa de 4,00 € retida"). A
    plural participle before it ("podem ser devolvidos 2,00 €") agrees too."""
    from babel.messages.pofile import read_po

    name = r"%\((amount|back|fee|move_fee|deposit|refunded|pending|refused)\)s"
    participle = r"\w+(ad|id)[oa]s?|pagos?|pagas?|cativos?|cativas?"
    after = rf"(?<!\bde ){name}( do( seu)? sinal)?,? (não )?({participle})\b"
    agreed = re.compile(rf"{after}|\b\w+(ad|id)[oa]s {name}")
    found = []
    for po in sorted((i18n.LOCALES_DIR / "pt" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as handle:
            for message in read_po(handle):
                forms = message.string if isinstance(message.string, tuple) else (message.string,)
                found += [f"{po.name}: {f}" for f in forms if f and agreed.search(f)]
    assert found == []
