"""Procedure search: forgives missing diacritics, word order, small typos and colloquial words,
and orders the procedures found by relevance.

The catalogue is small (thousands of procedures), so each process keeps an index of its folded
names, keywords and search texts in memory and ranks in Python; the database only applies the
caller's filters (unit, field) and the order computed here. Results are therefore the same on
SQLite and PostgreSQL, and no search server is needed.

Freshness: a change to a procedure (or its versions, or a field) replaces a token in Django's
shared cache; each process compares its index's token with it on every search and rebuilds when
they differ. Writes that bypass model signals (`QuerySet.update`, raw SQL, restoring a backup)
are picked up after `MAX_AGE` seconds at the latest.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Func, IntegerField
from django.db.models.signals import post_delete, post_save

from cchc.catalogue import synonyms
from cchc.catalogue.models import Procedure, ProcedureQuerySet, ProcedureVersion
from cchc.lib.text import fold

CACHE_KEY = "catalogue:search:generation"
MAX_AGE = 300.0  # seconds; a safety net for writes no signal reports
MAX_QUERY_WORDS = 12  # a pasted paragraph is not a query; bounds the work per request

# Where a query word is found, and how much that counts.
IN_NAME, IN_KEYWORDS, IN_TEXT = 3.0, 2.0, 1.0
WEAK_WEIGHT = 0.3
UNMATCHED_WORD = 0.05
# How much an alternative spelling counts against the word as typed.
SPLIT_QUALITY = 0.9  # "khaisinh" → khai sinh
SYNONYM_QUALITY = 0.85
FUZZY_QUALITY = {1: 0.7, 2: 0.5}
PREFIX_QUALITY = 0.6  # the last word, still being typed
MAX_PREFIX_EXPANSION = 30
# Each query word must be found, except that a long query may miss one when nothing has all.
KNOWN_SHARE = 0.6  # at least this share of the meaningful words must exist in the catalogue

# The SQL order: the first EXACT_RANKS results one by one, the rest in blocks of RANK_BLOCK in
# rank order (by id within a block), which keeps the ORDER BY expression small.
EXACT_RANKS = 200
RANK_BLOCK = 100


def _canonical(token: str) -> str:
    # "ký"/"kí", "lý"/"lí", "sỹ"/"sĩ", "quý"/"quí" are the same syllable spelt two ways.
    if len(token) >= 2 and token[-1] == "y":
        before = token[-2]
        if before not in "aeiouy" or (before == "u" and token[:-2] == "q"):
            return token[:-1] + "i"
    return token


def _tokens(text: str) -> list[str]:
    return [_canonical(t) for t in fold(text).split()]


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(_tokens(text))


def _bigrams(tokens: Sequence[str]) -> set[tuple[str, str]]:
    return set(zip(tokens, tokens[1:], strict=False))


def _padded(tokens: Iterable[str]) -> str:
    # Spaces on both sides so that `" khai sinh " in text` matches whole words only.
    return " " + " ".join(tokens) + " "


# -- synonyms, folded once -------------------------------------------------------------------------

_SYNONYMS: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {
    _phrase(k): tuple(_phrase(v) for v in vs) for k, vs in synonyms.SYNONYMS.items()
}
_SYNONYM_WORDS: frozenset[str] = frozenset(t for k in _SYNONYMS for t in k)
_LONGEST_SYNONYM = max((len(k) for k in _SYNONYMS), default=0)
_WEAK_WORDS: frozenset[str] = frozenset(_canonical(fold(w)) for w in synonyms.WEAK_WORDS)
_WEAK_PHRASES: tuple[tuple[str, ...], ...] = tuple(_phrase(p) for p in synonyms.WEAK_PHRASES)
_VARIANT_MARKERS: tuple[str, ...] = tuple(_padded(_tokens(m)) for m in synonyms.VARIANT_MARKERS)


# -- edit distance -----------------------------------------------------------------------------


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment) of `a` and `b`, or `limit + 1`
    as soon as it is known to exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _fuzzy_limit(token: str) -> int:
    if len(token) >= 8:
        return 2
    if len(token) >= 4:
        return 1
    return 0


def _deletions(token: str, depth: int) -> set[str]:
    found = {token}
    frontier = {token}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


# -- the index ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """What ranking needs to know of one procedure, folded and tokenised."""

    pk: int
    code: str
    name_length: int  # distinct words of the name that are not weak
    name_tokens: tuple[str, ...]
    name_text: str
    name_set: frozenset[str]
    name_bigrams: frozenset[tuple[str, str]]
    keyword_set: frozenset[str]
    keyword_blob: str  # the padded keyword phrases joined by "|": one `in` finds a phrase
    keyword_exact: frozenset[str]
    keyword_bigrams: frozenset[tuple[str, str]]
    code_set: frozenset[str]
    text_set: frozenset[str]  # everything searchable: code, name, keywords, field name
    known_set: frozenset[str]  # name and keywords
    strong_name_set: frozenset[str]  # the name's words that are not weak
    sort_key: tuple[int, str]


@dataclass
class Index:
    generation: str
    built_at: float
    entries: dict[int, Entry]
    postings: dict[str, frozenset[int]]
    codes: dict[str, int]
    vocabulary: list[str]  # sorted, for prefix look-ups
    deletions: dict[str, tuple[str, ...]]  # for fuzzy look-ups
    _fuzzy_memo: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)

    def fuzzy(self, token: str) -> tuple[tuple[str, int], ...]:
        """Words of the catalogue within the allowed edit distance of `token`, nearest first."""
        memo = self._fuzzy_memo.get(token)
        if memo is not None:
            return memo
        limit = _fuzzy_limit(token)
        found: list[tuple[str, int]] = []
        if limit and token.isalpha():
            candidates = {w for d in _deletions(token, limit) for w in self.deletions.get(d, ())}
            distances = [(w, edit_distance(token, w, limit)) for w in candidates if w != token]
            found = [(w, d) for w, d in distances if d <= limit]
            if found:
                nearest = min(d for _, d in found)
                found = sorted((w, d) for w, d in found if d == nearest)
        result = tuple(found)
        if len(self._fuzzy_memo) < 10_000:
            self._fuzzy_memo[token] = result
        return result

    def prefixed(self, token: str) -> list[str]:
        start = bisect_left(self.vocabulary, token)
        out: list[str] = []
        for word in self.vocabulary[start:]:
            if not word.startswith(token) or len(out) >= MAX_PREFIX_EXPANSION:
                break
            if word != token:
                out.append(word)
        return out

    def split(self, token: str) -> tuple[str, str] | None:
        """`token` as two words of the catalogue typed without a space ("khaisinh")."""
        for i in range(2, len(token) - 1):
            head, tail = token[:i], token[i:]
            if head in self.postings and tail in self.postings:
                return head, tail
        return None


def _entry(pk: int, code: str, name: str, search_text: str, keywords: str) -> Entry:
    name_tokens = tuple(_tokens(name))
    phrases = [p for p in (tuple(_tokens(part)) for part in keywords.split(";")) if p]
    keyword_set = frozenset(t for p in phrases for t in p)
    code_set = frozenset(_tokens(code))
    return Entry(
        pk=pk,
        code=code,
        name_length=max(1, len(frozenset(name_tokens) - _WEAK_WORDS)),
        name_tokens=name_tokens,
        name_text=_padded(name_tokens),
        name_set=frozenset(name_tokens),
        name_bigrams=frozenset(_bigrams(name_tokens)),
        keyword_set=keyword_set,
        keyword_blob="|".join(_padded(p) for p in phrases),
        keyword_exact=frozenset(" ".join(p) for p in phrases),
        keyword_bigrams=frozenset(b for p in phrases for b in _bigrams(p)),
        code_set=code_set,
        # `search_text` is folded already.
        text_set=frozenset(map(_canonical, search_text.split()))
        | set(name_tokens)
        | keyword_set
        | code_set,
        known_set=keyword_set | set(name_tokens),
        strong_name_set=frozenset(name_tokens) - _WEAK_WORDS,
        sort_key=(len(name_tokens), code),
    )


def build_index(generation: str) -> Index:
    # Keywords live on the versions; like `search_text`, the newest version's are used.
    keywords: dict[int, str] = {}
    for procedure_id, words in ProcedureVersion.objects.order_by(
        "procedure_id", "-effective_from"
    ).values_list("procedure_id", "keywords"):
        keywords.setdefault(procedure_id, words)
    entries: dict[int, Entry] = {}
    for pk, code, name, search_text in Procedure.objects.values_list(
        "pk", "code", "name", "search_text"
    ):
        entries[pk] = _entry(pk, code, name, search_text, keywords.get(pk, ""))
    postings: dict[str, set[int]] = {}
    for entry in entries.values():
        for token in entry.text_set:
            postings.setdefault(token, set()).add(entry.pk)
    deletions: dict[str, set[str]] = {}
    for word in postings:
        if len(word) >= 3 and word.isalpha():
            for variant in _deletions(word, 2 if len(word) >= 7 else 1):
                deletions.setdefault(variant, set()).add(word)
    return Index(
        generation=generation,
        built_at=time.monotonic(),
        entries=entries,
        postings={t: frozenset(ids) for t, ids in postings.items()},
        codes={" ".join(_tokens(e.code)): e.pk for e in entries.values()},
        vocabulary=sorted(postings),
        deletions={v: tuple(sorted(ws)) for v, ws in deletions.items()},
    )


_index: Index | None = None
_lock = threading.Lock()


def _current_generation() -> str:
    generation = cache.get(CACHE_KEY)
    if generation is None:
        # First search since the cache was emptied: agree on one token with the other processes.
        cache.add(CACHE_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(CACHE_KEY) or "unshared"
    return str(generation)


def get_index() -> Index:
    """This process's index, rebuilt first if the catalogue changed since it was built."""
    global _index
    generation = _current_generation()
    index = _index
    if (
        index is not None
        and index.generation == generation
        and time.monotonic() - index.built_at < MAX_AGE
    ):
        return index
    with _lock:
        index = _index
        if (
            index is None
            or index.generation != generation
            or time.monotonic() - index.built_at >= MAX_AGE
        ):
            index = build_index(generation)
            _index = index
        return index


def _new_generation() -> None:
    cache.set(CACHE_KEY, uuid.uuid4().hex, timeout=None)


def invalidate() -> None:
    """Forget this process's index now, and every process's once the transaction commits."""
    global _index
    _index = None
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _new_generation()
        return
    # One new token per transaction, however many procedures it saves (an import saves
    # thousands). `run_on_commit` holds (savepoint ids, callback, robust) and forgets the
    # callbacks of a rolled-back savepoint, so a later change registers again.
    if any(item[1] is _new_generation for item in connection.run_on_commit):
        return
    # Also now, not only at the commit: with a cache outside the database (Redis), a process
    # rebuilding meanwhile would otherwise keep the old rows under the token the commit replaces.
    _new_generation()
    transaction.on_commit(_new_generation)


def _catalogue_changed(sender: Any, **kwargs: Any) -> None:
    invalidate()


for _model in (Procedure, ProcedureVersion):
    post_save.connect(_catalogue_changed, sender=_model, dispatch_uid=f"search-{_model.__name__}")
    post_delete.connect(
        _catalogue_changed, sender=_model, dispatch_uid=f"search-del-{_model.__name__}"
    )


# -- the query ---------------------------------------------------------------------------------

Alternative = tuple[tuple[str, ...], float]  # words that must all be present, and their worth


@dataclass
class Slot:
    """One word of the query and the ways a procedure may contain it."""

    token: str
    weak: bool = False
    primary: str | None = None  # the catalogue word it most likely means, for phrase bonuses
    alternatives: list[Alternative] = field(default_factory=list)


@dataclass
class Query:
    slots: list[Slot]
    expansions: list[tuple[str, ...]]  # synonym wordings found in the query

    @property
    def phrase(self) -> str:
        return " ".join(s.primary for s in self.slots if s.primary)

    @property
    def strong_phrase(self) -> str:
        return " ".join(s.primary for s in self.slots if s.primary and not s.weak)


def _find(tokens: Sequence[str], phrase: Sequence[str]) -> list[int]:
    n = len(phrase)
    return [i for i in range(len(tokens) - n + 1) if tuple(tokens[i : i + n]) == tuple(phrase)]


def parse_query(q: str, index: Index, *, typing_last: bool) -> Query:
    tokens = _tokens(q)[:MAX_QUERY_WORDS]
    slots = [Slot(token=t, weak=t in _WEAK_WORDS) for t in tokens]
    for phrase in _WEAK_PHRASES:
        for start in _find(tokens, phrase):
            for slot in slots[start : start + len(phrase)]:
                slot.weak = True
    # The words as the catalogue most likely spells them, to look synonyms up in.
    for slot in slots:
        token = slot.token
        if token in index.postings:
            slot.primary = token
            slot.alternatives.append(((token,), 1.0))
        elif token in _SYNONYM_WORDS:
            pass  # "cmnd", "cưới": the synonyms below say what it means
        else:
            for word, distance in index.fuzzy(token):
                slot.alternatives.append(((word,), FUZZY_QUALITY[distance]))
                slot.primary = slot.primary or word
            halves = index.split(token)
            if halves:
                slot.alternatives.append((halves, SPLIT_QUALITY))
    if typing_last and slots and not slots[-1].alternatives and len(slots[-1].token) >= 2:
        last = slots[-1]
        for word in index.prefixed(last.token):
            last.alternatives.append(((word,), PREFIX_QUALITY))
    spelled = [s.primary or s.token for s in slots]
    expansions: list[tuple[str, ...]] = []
    for length in range(min(_LONGEST_SYNONYM, len(spelled)), 0, -1):
        for start in range(len(spelled) - length + 1):
            meanings = _SYNONYMS.get(tuple(spelled[start : start + length]))
            if not meanings:
                continue
            for meaning in meanings:
                if all(t in index.postings for t in meaning):
                    expansions.append(meaning)
                    for slot in slots[start : start + length]:
                        slot.alternatives.append((meaning, SYNONYM_QUALITY))
    return Query(slots=slots, expansions=expansions)


def _covering(index: Index, slot: Slot) -> set[int]:
    covered: set[int] = set()
    for words, _quality in slot.alternatives:
        postings = [index.postings.get(w) for w in words]
        if all(p is not None for p in postings):
            ids = set(postings[0] or ())
            for p in postings[1:]:
                ids &= p or frozenset()
            covered |= ids
    return covered


def _candidates(index: Index, query: Query, allowed: set[int] | None) -> set[int]:
    strong = [s for s in query.slots if not s.weak] or query.slots
    known = [s for s in strong if s.alternatives]
    if not known or len(known) < math.ceil(KNOWN_SHARE * len(strong)):
        return set()
    covers = [_covering(index, s) for s in known]
    if allowed is not None:
        covers = [c & allowed for c in covers]
    found = set.intersection(*covers)
    if not found and len(known) >= 3:
        # A long query may hold one word no procedure has together with the others.
        counts = Counter(pk for c in covers for pk in c)
        found = {pk for pk, n in counts.items() if n >= len(known) - 1}
    return found


@dataclass(frozen=True)
class _Plan:
    """A query prepared for scoring many procedures: everything that does not depend on one."""

    slots: tuple[tuple[float, tuple[tuple[frozenset[str], float], ...]], ...]  # weight, ways
    pool: frozenset[str]  # every word a slot may match
    phrase: str  # padded; empty when no word is known
    strong: str
    exact: frozenset[str]  # the phrase as a whole keyword
    pairs: tuple[tuple[str, str], ...]
    markers: tuple[str, ...]  # variant wordings the query does not ask for
    expansions: tuple[str, ...]  # padded synonym wordings


def _plan(query: Query) -> _Plan:
    primaries = [s.primary for s in query.slots if s.primary]
    phrase = " ".join(primaries)
    strong = " ".join(s.primary for s in query.slots if s.primary and not s.weak)
    return _Plan(
        slots=tuple(
            (
                WEAK_WEIGHT if slot.weak else 1.0,
                tuple((frozenset(words), q) for words, q in slot.alternatives),
            )
            for slot in query.slots
        ),
        pool=frozenset(w for s in query.slots for words, _q in s.alternatives for w in words),
        phrase=f" {phrase} " if phrase else "",
        strong=f" {strong} " if strong else "",
        exact=frozenset(p for p in (phrase, strong) if p),
        pairs=tuple(zip(primaries, primaries[1:], strict=False)),
        markers=tuple(m for m in _VARIANT_MARKERS if m not in f" {phrase} "),
        expansions=tuple(_padded(m) for m in query.expansions),
    )


def score(entry: Entry, plan: _Plan) -> float:
    """Relevance of a procedure to a prepared query: higher is better.

    Each query word counts for where the procedure has it (name 3, keywords 2, field name 1)
    times how sure the reading is (as typed 1, synonym 0.85, typo 0.7…), weak words 0.3. Then:
    the share of the name the query accounts for (up to 4), the query as the whole name (8) or
    a phrase in it (3, 2 without weak words), as a whole keyword (5) or in one (2), each pair of
    query words side by side in the name (1) or a keyword (0.5), a synonym's wording in the
    name (2) or a keyword (1); minus 0.05 for each word of the name the query does not explain
    and 1 for each variant wording ("lại", "gia hạn", "nước ngoài"…) in the name that the query
    does not ask for.
    """
    total = 0.0
    name_set, known = entry.name_set, entry.known_set
    for weight, ways in plan.slots:
        best = 0.0
        for words, quality in ways:
            if words <= name_set or words <= entry.code_set:
                value = IN_NAME * quality
            elif words <= known:
                value = IN_KEYWORDS * quality
            elif words <= entry.text_set:
                value = IN_TEXT * quality
            else:
                continue
            if value > best:
                best = value
        total += best * weight
    # Share of the name the query accounts for: "Đăng ký khai sinh" is a closer answer to
    # "khai sinh" than "Đăng ký khai sinh có yếu tố nước ngoài".
    matched = len(entry.strong_name_set & plan.pool)
    total += 4.0 * matched / entry.name_length
    # And a little less for every word of the name the query leaves unexplained.
    total -= UNMATCHED_WORD * (entry.name_length - matched)
    if plan.phrase:
        name = entry.name_text
        if name == plan.phrase or name == plan.strong:
            total += 8.0
        elif plan.phrase in name:
            total += 3.0
        elif plan.strong and plan.strong in name:
            total += 2.0
        if not plan.exact.isdisjoint(entry.keyword_exact):
            total += 5.0
        if plan.phrase in entry.keyword_blob:
            total += 2.0
        for pair in plan.pairs:
            if pair in entry.name_bigrams:
                total += 1.0
            elif pair in entry.keyword_bigrams:
                total += 0.5
        for marker in plan.markers:
            if marker in name:
                total -= 1.0
    for text in plan.expansions:
        if text in entry.name_text:
            total += 2.0
        if text in entry.keyword_blob:
            total += 1.0
    return total


def rank(q: str, index: Index, allowed: set[int] | None = None) -> list[tuple[int, float]]:
    """Ids of the procedures matching `q`, best first, with their scores."""
    folded = " ".join(_tokens(q))
    code_pk = index.codes.get(folded)
    if code_pk is not None:
        return [(code_pk, math.inf)] if allowed is None or code_pk in allowed else []
    query = parse_query(q, index, typing_last=not q[-1:].isspace())
    found = _candidates(index, query, allowed)
    plan = _plan(query)
    entries = index.entries
    scored = [(pk, score(entries[pk], plan)) for pk in found]
    # Ties: the shorter name (the general procedure before its variants), then the code.
    scored.sort(key=lambda item: (-item[1], entries[item[0]].sort_key))
    return scored


def _has_filters(procedures: ProcedureQuerySet) -> bool:
    return bool(procedures.query.where)


def search_procedures(procedures: ProcedureQuerySet, q: str) -> ProcedureQuerySet:
    """The procedures of `procedures` that match `q`, ORDERED BY RELEVANCE (best first).

    Callers must not re-order the result when `q` is given. An empty query returns
    `procedures` unchanged.
    """
    if not fold(q):
        return procedures
    index = get_index()
    allowed = set(procedures.values_list("pk", flat=True)) if _has_filters(procedures) else None
    ranked = [pk for pk, _score in rank(q, index, allowed)]
    if not ranked:
        return procedures.none()
    return procedures.filter(pk__in=ranked).order_by(_order(ranked), "pk")


def _order(ranked: Sequence[int]) -> Func:
    # One CASE with the ids written in: Django's Case/When would build, resolve and compile one
    # expression object per result (tens of milliseconds for a few hundred), and bind two
    # parameters each. The ids are integers from the index, so writing them in is safe.
    whens = [
        f"WHEN %(expressions)s = {int(pk)} THEN {i}" for i, pk in enumerate(ranked[:EXACT_RANKS])
    ]
    tail = ranked[EXACT_RANKS:]
    for block, start in enumerate(range(0, len(tail), RANK_BLOCK)):
        ids = ",".join(str(int(pk)) for pk in tail[start : start + RANK_BLOCK])
        whens.append(f"WHEN %(expressions)s IN ({ids}) THEN {EXACT_RANKS + block}")
    template = f"CASE {' '.join(whens)} ELSE {len(ranked)} END"
    return Func(F("pk"), template=template, output_field=IntegerField())
