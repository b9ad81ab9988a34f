"""Lazy greedy, local search (best exchange, redundant sites) and the order of the chosen sites."""

from __future__ import annotations

import heapq
import time

import numpy as np

from whitespot.planning._problem import _covered, _covered_groups, _open_sites, _Problem


def _greedy(problem: _Problem) -> np.ndarray:
    """Lazy greedy (CELF): add the site with the best gain (per cost) until the limit."""
    cover, weight, cost = problem.cover, problem.weight, problem.cost
    uncovered = ~_covered_groups(problem, problem.forced)
    chosen = list(problem.forced)
    spent = float(cost[problem.forced].sum())
    by_ratio = not problem.by_count
    gain = cover @ (weight * uncovered)
    candidates = np.flatnonzero(problem.allowed & (gain > 0))
    candidates = np.setdiff1d(candidates, problem.forced)
    heap = [(-_key(gain[j], cost[j], by_ratio), int(j)) for j in candidates]
    heapq.heapify(heap)
    while heap and _room(problem, len(chosen), spent) and (not problem.minimize or uncovered.any()):
        _, j = heapq.heappop(heap)
        rows = cover.indices[cover.indptr[j] : cover.indptr[j + 1]]
        fresh = float(weight[rows][uncovered[rows]].sum())
        if fresh <= 0:
            continue
        key = _key(fresh, cost[j], by_ratio)
        if heap and key < -heap[0][0]:
            heapq.heappush(heap, (-key, j))  # stale: re-queue with its true gain
            continue
        if problem.by_budget and spent + cost[j] > problem.limit:
            continue
        chosen.append(j)
        spent += cost[j]
        uncovered[rows] = False
    result = np.array(chosen, dtype=int)
    if problem.by_budget:
        result = _best_single_site(problem, result)
    return result


def _key(gain: float, cost: float, by_ratio: bool) -> float:
    if not by_ratio:
        return gain
    return gain / cost if cost > 0 else np.inf


def _room(problem: _Problem, count: int, spent: float) -> bool:
    if problem.by_count:
        return count < problem.limit
    if problem.by_budget:
        return spent < problem.limit or np.any(problem.cost[problem.allowed] == 0)
    return True


def _best_single_site(problem: _Problem, greedy: np.ndarray) -> np.ndarray:
    """Keep the ratio greedy or the best affordable single site, whichever covers more.

    This is Khuller, Moss & Naor (1999); it keeps a (1 - 1/e) / 2 guarantee for budgets.
    """
    free = problem.limit - problem.cost[problem.forced].sum()
    base = _covered_groups(problem, problem.forced)
    gain = problem.cover @ (problem.weight * ~base)
    affordable = problem.allowed & (problem.cost <= free)
    if not affordable.any():
        return greedy
    single = np.flatnonzero(affordable)[np.argmax(gain[affordable])]
    alternative = np.unique(np.concatenate([problem.forced, [single]])).astype(int)
    return alternative if _covered(problem, alternative) > _covered(problem, greedy) else greedy


def _swap_search(problem: _Problem, chosen: np.ndarray, deadline: float) -> np.ndarray:
    """Improve a covering solution by exchanging one site for another (or adding one).

    Each round computes the exact gain of every exchange (outside site j in, chosen site k
    out) at once: gain_j - loss_k + shared_jk, where loss_k is the demand only k covers and
    shared_jk the part of it that j covers too (one sparse product). Under a budget only
    exchanges that stay within it count, and so does adding a site the money left pays
    for. It makes the best improving move, until none improves or time is up.
    """
    cover, weight, cost = problem.cover, problem.weight, problem.cost
    money = 1e-9 * max(abs(problem.limit), 1.0) if problem.by_budget else 0.0
    chosen = np.array(chosen, dtype=int)
    count = np.zeros(len(weight), dtype=np.int64)
    if len(chosen):
        count += np.asarray(cover[chosen].sum(axis=0), dtype=np.int64).ravel()
    movable = np.setdiff1d(chosen, problem.forced)
    tolerance = 1e-9 * max(float(weight.sum()), 1.0)
    for _ in range(problem.strategy.swap_rounds):
        if time.perf_counter() > deadline or not (len(movable) or problem.by_budget):
            break
        only = cover[movable].multiply((weight * (count == 1))[None, :]).tocsr()
        gain = cover @ (weight * (count == 0))
        gain[chosen] = -np.inf
        gain[~problem.allowed] = -np.inf
        delta = (cover @ only.T).toarray()
        delta += gain[:, None] - np.asarray(only.sum(axis=1)).ravel()[None, :]
        if problem.by_budget:
            left = problem.limit - cost[chosen].sum() + money
            delta[cost[:, None] - cost[movable][None, :] > left] = -np.inf
            delta = np.column_stack([delta, np.where(cost <= left, gain, -np.inf)])
        j, out = np.unravel_index(np.argmax(delta), delta.shape)
        if delta[j, out] <= tolerance:
            break
        count += cover[j].toarray().ravel().astype(np.int64)
        if out < len(movable):  # an exchange; the extra column adds site j alone
            k = movable[out]
            count -= cover[k].toarray().ravel().astype(np.int64)
            chosen, movable = chosen[chosen != k], movable[movable != k]
        chosen, movable = np.append(chosen, j), np.append(movable, j)
    return np.sort(chosen)


def _drop_redundant(problem: _Problem, chosen: np.ndarray) -> np.ndarray:
    """Drop the costliest sites whose demand stays covered by the others (set covering)."""
    chosen = np.array(sorted(chosen, key=lambda j: (-problem.cost[j], j)), dtype=int)
    count = np.asarray(problem.cover[chosen].sum(axis=0)).ravel()
    keep = np.ones(len(chosen), dtype=bool)
    for position, j in enumerate(chosen):  # over chosen sites, costliest first
        if j in problem.forced:
            continue
        rows = problem.cover.indices[problem.cover.indptr[j] : problem.cover.indptr[j + 1]]
        if np.all(count[rows] >= 2):
            count[rows] -= 1
            keep[position] = False
    return np.sort(chosen[keep])


def _relaxed_choice(problem: _Problem, score: np.ndarray) -> np.ndarray:
    """Fractional x maximizing score @ x under the count or budget constraint."""
    x = np.zeros(len(score))
    x[problem.forced] = 1.0
    open_sites = _open_sites(problem)
    positive = np.flatnonzero(open_sites & (score > 0))
    if problem.by_count:
        room = int(problem.limit) - len(problem.forced)
        if room > 0:
            top = positive[np.argsort(-score[positive], kind="stable")[:room]]
            x[top] = 1.0
        return x
    room = problem.limit - problem.cost[problem.forced].sum()
    cost = problem.cost[positive]
    free = cost == 0
    x[positive[free]] = 1.0
    paid = positive[~free]
    order = paid[np.argsort(-score[paid] / problem.cost[paid], kind="stable")]
    spent = np.cumsum(problem.cost[order])
    full = spent <= room
    x[order[full]] = 1.0
    if (~full).any():
        first = np.argmax(~full)
        previous = spent[first - 1] if first > 0 else 0.0
        x[order[first]] = (room - previous) / problem.cost[order[first]]
    return x


def _selection_order(problem: _Problem, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order chosen sites greedily by the demand each newly covers; return order and gains."""
    cover, weight = problem.cover, problem.weight
    remaining = list(np.asarray(chosen, dtype=int))
    uncovered = np.ones(len(weight), dtype=bool)
    order, gains = [], []
    while remaining:  # over chosen sites (tens to hundreds), not over demand
        fresh = np.array(
            [
                weight[cover.indices[cover.indptr[j] : cover.indptr[j + 1]]][
                    uncovered[cover.indices[cover.indptr[j] : cover.indptr[j + 1]]]
                ].sum()
                for j in remaining
            ]
        )
        pick = int(np.argmax(fresh))
        j = remaining.pop(pick)
        order.append(j)
        gains.append(float(fresh[pick]))
        uncovered[cover.indices[cover.indptr[j] : cover.indptr[j + 1]]] = False
    return np.array(order, dtype=int), np.array(gains)
