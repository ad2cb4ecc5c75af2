"""Text of knowledge items: Markdown rendered safely, words and their stems, snippets.

Bodies are written in Markdown by people from many organisations: the rendered HTML is
sanitised (nh3, an allow-list) so no script, style, event handler or ``javascript:`` link
survives, whatever was typed. Stems (Snowball, English and French) serve the SQLite index
and the highlighting of snippets; PostgreSQL stems with its own dictionaries."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import nh3
import snowballstemmer
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

__all__ = [
    "index_text",
    "plain_text",
    "query_stems",
    "render_markdown",
    "snippet",
    "stem",
    "stem_words",
    "words",
]

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "hr", "li", "ol", "p", "pre",
    "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"align"}, "th": {"align"}}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(source: str) -> SafeString:
    """The body as HTML an unknown author cannot use against its readers."""
    html = _markdown.render(source or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above


def plain_text(source: str) -> str:
    """The body's words without Markdown or HTML (for snippets and the index)."""
    html = _markdown.render(source or "")
    return re.sub(r"\s+", " ", nh3.clean(html, tags=set())).strip()


_WORD = re.compile(r"\w+", re.UNICODE)

_STOPWORDS = """a about after all also an and any are as at be been but by can do for from had has
    have how in into is it its more not of on or our over such than that the their them
    then there these they this those through to up was we were what when where which who
    will with within without you your
    au aux avec ce ces cette dans de des du elle en est et il ils la le les leur leurs mais
    ne nos notre nous ou par pas plus pour qu que qui sa se ses son sont sur un une vos
    votre vous l d s n c j qu y"""
STOPWORDS = frozenset(_STOPWORDS.split())

STEMMER_NAMES = {"en": "english", "fr": "french"}


@lru_cache(maxsize=4)
def _stemmer(language: str):
    return snowballstemmer.stemmer(STEMMER_NAMES.get(language, "english"))


def _fold(word: str) -> str:
    """Lower case without accents: "Évaluation" and "evaluation" meet."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The words of ``text``, lower case (accents kept), stop words left out."""
    return [w for w in (m.lower() for m in _WORD.findall(text or "")) if w not in STOPWORDS]


@lru_cache(maxsize=100_000)
def stem(word: str, language: str) -> str:
    """The folded stem of a lower-case word (cached: the pure-Python stemmer is slow and the
    same words come back in every item)."""
    return _fold(_stemmer(language).stemWord(word))


def stem_words(tokens: list[str], language: str) -> list[str]:
    return [stem(token, language) for token in tokens]


def index_text(text: str, language: str) -> str:
    """What the SQLite index stores for ``text``: its stems, in order."""
    return " ".join(stem_words(words(text), language))


def query_stems(query: str) -> list[str]:
    """The stems a query may match, in either language (the reader may write in one and
    the item be in the other; a word stemmed both ways finds both)."""
    found: dict[str, None] = {}
    tokens = words(query)[:20]
    for language in STEMMER_NAMES:
        for stem in stem_words(tokens, language):
            if stem:
                found.setdefault(stem, None)
    return list(found)


SNIPPET_WORDS = 32


def snippet(text: str, query: str, language: str, size: int = SNIPPET_WORDS) -> SafeString:
    """The passage of ``text`` holding most of the query's words, those words marked.

    Everything is escaped first; only our own ``<mark>`` tags are added."""
    tokens = re.findall(r"\S+", text or "")
    if not tokens:
        return mark_safe("")
    wanted = set(query_stems(query))

    def hit(token: str) -> bool:
        word = _WORD.search(token)
        return word is not None and stem(word.group(0).lower(), language) in wanted

    hits = [hit(token) for token in tokens]
    score = sum(hits[:size])
    best, best_score = 0, score
    for start in range(1, max(1, len(tokens) - size + 1)):  # slide the window one word on
        score += hits[start + size - 1] - hits[start - 1]
        if score > best_score:
            best, best_score = start, score
    window = range(best, min(len(tokens), best + size))
    parts = [
        f"<mark>{escape(tokens[i])}</mark>" if hits[i] else str(escape(tokens[i])) for i in window
    ]
    prefix = "… " if best > 0 else ""
    suffix = " …" if best + size < len(tokens) else ""
    return mark_safe(prefix + " ".join(parts) + suffix)  # noqa: S308 - escaped token by token
