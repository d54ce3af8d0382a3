"""Finding things by a few typed letters: the popup's and the Add row
picker's search, and the "did you mean" of a name that matched nothing.

Rule: every word typed must match the target's text — customer, project, task
title and ticket ref — either as a substring or as an in-order subsequence
("srvmig" finds "Server migration"). Substring and word-start hits score
higher; recently tracked targets come first among equal scores, then by
name. An empty query lists the recent targets, then everything else.

A name that matched nothing (:func:`closest`) is offered the names that
contain every word typed, best first, then the names spelled alike
(``difflib``, for typos): "ACME" → "ACME Logistics", "Acne Logistics" →
"ACME Logistics".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from desktop.core import dto


@dataclass(frozen=True)
class Target:
    customer_id: str
    customer: str
    project_id: str | None = None
    project: str | None = None
    task_id: str | None = None
    task: str | None = None
    task_ref: str | None = None

    @property
    def path(self) -> str:
        parts = [self.customer]
        if self.project:
            parts.append(self.project)
        if self.task:
            parts.append(f"#{self.task_ref} {self.task}" if self.task_ref else self.task)
        return " › ".join(parts)

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        return (self.customer_id, self.project_id, self.task_id)

    @property
    def haystack(self) -> str:
        return " ".join(p for p in (self.customer, self.project, self.task,
                                    f"#{self.task_ref}" if self.task_ref else None) if p).lower()


def targets(customers: list[dto.Customer], projects: list[dto.Project],
            tasks: list[dto.Task]) -> list[Target]:
    out = [Target(c.id, c.name) for c in customers]
    out += [Target(p.customer_id, p.customer, p.id, p.name) for p in projects]
    out += [Target(t.customer_id, t.customer, t.project_id, t.project, t.id, t.title,
                   t.external_ref) for t in tasks]
    return out


def from_combination(c: dto.Combination) -> Target:
    return Target(c.customer_id, c.customer, c.project_id, c.project, c.task_id, c.task,
                  c.task_ref)


def _word_score(word: str, text: str) -> int:
    at = text.find(word)
    if at >= 0:
        starts_word = at == 0 or not text[at - 1].isalnum()
        return 30 if starts_word else 20
    pos = 0
    for ch in word:
        pos = text.find(ch, pos)
        if pos < 0:
            return 0
        pos += 1
    return 5


def closest(ref: str, names: Iterable[str], limit: int = 3) -> list[str]:
    """Up to ``limit`` of ``names`` that ``ref`` probably meant (see the module rule)."""
    words = ref.lower().split()
    pool = list(dict.fromkeys(n for n in names if n))
    if not words:
        return []
    containing: list[tuple[int, str]] = []
    for name in pool:
        scores = [_word_score(w, name.lower()) for w in words]
        if min(scores) >= 20:  # substring hits only: a scattered subsequence is no hint
            containing.append((-sum(scores), name))
    found = [name for _score, name in sorted(containing, key=lambda c: (c[0], c[1].lower()))]
    lowered = {n.lower(): n for n in pool}
    for near in difflib.get_close_matches(ref.lower(), list(lowered), n=limit, cutoff=0.6):
        if lowered[near] not in found:
            found.append(lowered[near])
    return found[:limit]


def split_customer(query: str, customers: list[dto.Customer]) -> tuple[dto.Customer | None, str]:
    """The customer a search that matched nothing names first, and the rest as
    a new task's title: "acme label printer jams" → (ACME Logistics, "label
    printer jams"). The longest run of leading words that starts words of one
    customer's name only wins; (None, the whole query) when none does."""
    words = query.split()
    for n in range(len(words) - 1, 0, -1):
        lead = [w.lower() for w in words[:n]]
        hits = [c for c in customers if all(_word_score(w, c.name.lower()) == 30 for w in lead)]
        if len(hits) == 1:
            return hits[0], " ".join(words[n:])
    return None, " ".join(words)


def did_you_mean(names: list[str]) -> str:
    """``; did you mean "A"?`` (or ``"A" or "B"``), or nothing."""
    if not names:
        return ""
    quoted = [f'"{n}"' for n in names]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"; did you mean {listed}?"


def search(query: str, candidates: list[Target], recent: list[Target],
           limit: int = 50) -> list[Target]:
    recent_rank = {t.key: i for i, t in enumerate(recent)}
    words = query.lower().replace("›", " ").split()
    scored: list[tuple[int, int, str, Target]] = []
    seen: set[tuple[str, str | None, str | None]] = set()
    for target in [*recent, *candidates]:
        if target.key in seen:
            continue
        seen.add(target.key)
        text = target.haystack
        score = 0
        for word in words:
            s = _word_score(word, text)
            if s == 0:
                break
            score += s
        else:
            rank = recent_rank.get(target.key, len(recent_rank) + 1)
            scored.append((-score, rank, target.path.lower(), target))
    scored.sort(key=lambda item: item[:3])
    return [item[3] for item in scored[:limit]]
