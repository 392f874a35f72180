"""No import cycles anywhere in the project: not between packages, not inside a service.

`lint-imports` (`make lint`) checks the layers; a cycle among modules of one layer is invisible
to it, so this test looks for strongly connected components in the whole import graph (lazy
imports inside functions count: they are cycles waiting to be imported at the wrong moment).
"""

from __future__ import annotations

from collections.abc import Mapping, Set

import grimp

PACKAGES = (
    "eventkit",
    "access",
    "contracts",
    "program",
    "roster",
    "services",
    "deploy",
    "bench",
    "reliability",
    "web",
)


def cycles(imports: Mapping[str, Set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(imports):
        if root in index:
            continue
        work = [(root, iter(sorted(imports[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(imports.get(target, ())))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycles_finds_a_loop_and_ignores_a_chain() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]


def test_no_module_imports_itself_back() -> None:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    imports = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    found = cycles(imports)
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_decider_vocabulary_imports_nothing_of_the_project() -> None:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert graph.find_modules_directly_imported_by("eventkit.decider") == set()
