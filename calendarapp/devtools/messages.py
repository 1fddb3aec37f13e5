"""Is the translation catalog complete and compiled? A check that needs no GNU gettext.

`make messages` extracts and compiles with Django's makemessages/compilemessages (GNU
gettext's xgettext and msgfmt); this module checks the result with the standard library's
`ast` (which texts the code marks; templates are first turned into gettext calls by the same
`templatize` makemessages uses) and polib (what the .po and .mo files hold), so the tests run
on a machine without gettext too. Problems it reports, each with what to do:

- a marked text with no entry in the .po, or an entry no code marks any more;
- an entry with an empty or fuzzy translation;
- a translation whose `{placeholders}` or `%(placeholders)s` differ from the source's
  (`.format` or the template would fail or lose a value);
- a compiled .mo that does not hold exactly the .po's translations.
"""

import ast
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polib

APP_DIR = Path(__file__).resolve().parents[1]
LOCALE_DIR = APP_DIR / "locale"
LANGUAGES = ("en",)  # every language but the source one (Russian, the msgids)

# Django's gettext functions, as makemessages passes them to xgettext: name -> the argument
# positions of (context, singular, plural).
FUNCTIONS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
TEMPLATE_SUFFIXES = (".html", ".txt")  # what makemessages reads besides .py
# A gettext call in templatize's output: string literals and blocktranslate's `count`.
_STRING = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
TEMPLATE_CALL = re.compile(
    rf"\b(?:gettext|pgettext|ngettext|npgettext|_)\((?:\s*(?:{_STRING}|count)\s*,?)*\)"
)
NAMED_PERCENT = re.compile(r"%\((\w+)\)")
HOW_TO_FIX = "run `make messages`, translate what it lists in {po}, run it again"

Key = tuple[str | None, str]  # (msgctxt, msgid)


@dataclass(frozen=True)
class Marked:
    key: Key
    plural: str | None
    where: str


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal(call: ast.Call, position: int | None) -> str | None:
    if position is None or position >= len(call.args):
        return None
    node = call.args[position]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _calls(path: Path) -> Iterator[ast.Call]:
    """The calls in a Python file, or the gettext calls a template's tags stand for (with
    the template's line numbers)."""
    source = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        yield from (
            node for node in ast.walk(ast.parse(source, str(path))) if isinstance(node, ast.Call)
        )
        return
    from django.utils.translation.template import templatize

    text = templatize(source, origin=str(path))
    for match in TEMPLATE_CALL.finditer(text):
        call = ast.parse(match.group(0), mode="eval").body
        ast.increment_lineno(call, text.count("\n", 0, match.start()))
        yield call


def marked_texts(root: Path = APP_DIR) -> tuple[dict[Key, Marked], list[str]]:
    """Every text the code and templates under `root` mark for translation, and problems (a
    marked argument that is not a string literal cannot be extracted)."""
    found: dict[Key, Marked] = {}
    problems = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root.parent)
        if "migrations" in path.parts or path.suffix not in (".py", *TEMPLATE_SUFFIXES):
            continue
        for node in _calls(path):
            if _name(node.func) not in FUNCTIONS:
                continue
            context_at, singular_at, plural_at = FUNCTIONS[_name(node.func)]
            where = f"{relative}:{node.lineno}"
            msgid = _literal(node, singular_at)
            if msgid is None:
                problems.append(f"{where}: the text to translate must be a string literal")
                continue
            context = _literal(node, context_at)
            key = (context, msgid)
            found.setdefault(key, Marked(key, _literal(node, plural_at), where))
    return found, problems


def _fields(text: str) -> set[str]:
    """The `{name}` fields (str.format) and `%(name)s` ones (templates) of a text."""
    named = {f"%({name})" for name in NAMED_PERCENT.findall(text)}
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        fields = {"<unbalanced braces>"}
    return fields | named


def _translations(entries) -> dict[Key, object]:
    return {
        (entry.msgctxt, entry.msgid): (
            tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
            if entry.msgid_plural
            else entry.msgstr
        )
        for entry in entries
        if entry.msgid
    }


def catalog_problems(language: str, marked: dict[Key, Marked], locale_dir: Path) -> list[str]:
    """What is wrong with one language's catalog, given the texts the code marks."""
    po_path = locale_dir / language / "LC_MESSAGES" / "django.po"
    mo_path = po_path.with_suffix(".mo")
    fix = HOW_TO_FIX.format(po=po_path.relative_to(locale_dir.parent.parent))
    if not po_path.exists():
        return [f"{po_path}: missing; {fix}"]
    po = polib.pofile(str(po_path))
    problems = []
    if po.metadata_is_fuzzy:
        problems.append(f"{po_path.name} ({language}): the header is marked fuzzy")
    entries = {(entry.msgctxt, entry.msgid): entry for entry in po if not entry.obsolete}
    for key, text in marked.items():
        entry = entries.get(key)
        if entry is None:
            problems.append(f"no {language} entry for {key[1]!r} ({text.where}); {fix}")
            continue
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy {language} translation of {key[1]!r}: check it, drop the flag")
        elif not all(translations):
            problems.append(f"no {language} translation of {key[1]!r} ({text.where}); {fix}")
        else:
            expected = _fields(key[1]) | _fields(entry.msgid_plural or "")
            for translation in translations:
                if _fields(translation) != expected:
                    problems.append(
                        f"{language} translation of {key[1]!r} has placeholders "
                        f"{sorted(_fields(translation))}, the source {sorted(expected)}"
                    )
    for key in entries.keys() - marked.keys():
        problems.append(f"{language} entry {key[1]!r} is not in the code any more; {fix}")
    # What msgfmt puts in the .mo: translated entries that are not fuzzy.
    compiled_from_po = _translations(
        entry
        for entry in entries.values()
        if "fuzzy" not in entry.flags
        and (all(entry.msgstr_plural.values()) if entry.msgid_plural else entry.msgstr)
    )
    if not mo_path.exists():
        problems.append(f"{mo_path}: missing; {fix}")
    elif _translations(polib.mofile(str(mo_path))) != compiled_from_po:
        problems.append(f"{mo_path.name} ({language}) is stale: it differs from the .po; {fix}")
    return problems


def problems(root: Path = APP_DIR, locale_dir: Path = LOCALE_DIR, languages=LANGUAGES):
    """Every problem of every catalog; empty when the translations are complete and fresh."""
    marked, found = marked_texts(root)
    for language in languages:
        found += catalog_problems(language, marked, locale_dir)
    return found
