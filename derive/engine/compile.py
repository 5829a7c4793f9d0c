"""Compiling an estimate into a plan: the closure of its inputs under one
scenario, ordered over a networkx DAG (a cycle is an error that names it), with
every unit checked through every step with pint."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pint

from derive.engine import methods, units
from derive.engine.formula import Algebra, Formula, evaluate
from derive.engine.formula import parse as parse_formula
from derive.engine.plan import Leaf, Override, Plan, Step, suggest
from derive.engine.summary import METHODS as AGGREGATE_METHODS
from derive.engine.summary import Aggregate
from derive.errors import DeriveError, ModelError, UnitMismatch, UnknownName
from derive.kb import dates
from derive.kb.model import Model, Scenario
from derive.kb.namespaces import local_name, short

DATA = "#data"  # suffix of the leaf that carries an estimate over claims


class _Compiler:
    def __init__(self, model: Model, scenario: Scenario | None,
                 overrides: dict[str, Override],
                 aggregates: dict[str, Aggregate | DeriveError] | None = None) -> None:
        self.aggregates = aggregates if aggregates is not None else {}
        self.model = model
        self.scenario = scenario
        self.overrides = dict(overrides)
        self.used_overrides: set[str] = set()
        self.graph: nx.DiGraph[str] = nx.DiGraph()
        self.plan: Plan | None = None
        self.quantities: dict[str, Any] = {}

    # -- closure --------------------------------------------------------------
    def collect(self, estimate_iri: str) -> None:
        stack = [estimate_iri]
        seen = {estimate_iri}
        self.graph.add_node(estimate_iri)
        while stack:
            current = stack.pop()
            if self._override_for(current) is not None and current != estimate_iri:
                continue
            estimate = self.model.estimates[current]
            if estimate.method in AGGREGATE_METHODS:
                self.graph.add_edge(current + DATA, current)
                continue
            for ref in estimate.inputs:
                where = f"estimate {estimate.name}"
                if not ref.role or not ref.target:
                    raise ModelError(f"{where}: a dv:input lacks dv:role or dv:from")
                target = self.resolve(ref.target)
                self.graph.add_edge(target, current)
                if target in self.model.estimates and target not in seen:
                    seen.add(target)
                    stack.append(target)

    def resolve(self, key: str) -> str:
        """The estimate a scenario puts in the place of a parameter or claim, else ``key``."""
        if self.scenario is None or key in self.overrides or local_name(key) in self.overrides:
            return key
        bound = self.scenario.binding(key)
        return bound if bound is not None and bound in self.model.estimates else key

    def check_cycles(self) -> None:
        try:
            cycle = nx.find_cycle(self.graph)
        except nx.NetworkXNoCycle:
            return
        names = [local_name(edge[0]) for edge in cycle] + [local_name(cycle[0][0])]
        raise ModelError(
            "the estimates form a cycle: " + " → ".join(names)
            + "; an estimate cannot depend on itself, remove one of these inputs"
        )

    # -- leaves ---------------------------------------------------------------
    def _override_for(self, iri: str) -> Override | None:
        name = local_name(iri)
        if name in self.overrides:
            self.used_overrides.add(name)
            return self.overrides[name]
        return None

    def leaf(self, key: str, role: str, estimate_name: str) -> Leaf:
        where = f"estimate {estimate_name}: input {role!r}"
        override = self._override_for(key)
        via = None
        target = key
        if override is None and key not in self.model.parameters and self.scenario:
            replaced = self.scenario.binding(key)  # dv:replaces a claim
            if replaced is not None:
                target = replaced
                override = self._override_for(replaced)
        if override is None and key in self.model.parameters:
            via = key
            bound = self.scenario.binding(key) if self.scenario else None
            if bound is None:
                scen = f"scenario {self.scenario.name}" if self.scenario else "no scenario"
                raise ModelError(
                    f"{where} is parameter {local_name(key)}, which {scen} does not bind; "
                    f"choose a scenario that binds it (--scenario) or pass "
                    f"--set {local_name(key)}='VALUE UNIT'"
                )
            target = bound
            override = self._override_for(bound)
        if override is not None:
            return self._override_leaf(key, target, override, via, where)
        if target in self.model.claims:
            claim = self.model.claims[target]
            if claim.value is None:
                raise ModelError(f"{where} is claim {claim.name}, which states no figure")
            if claim.unit is None:
                raise ModelError(f"{where} is claim {claim.name}, whose figure has no unit")
            return Leaf(key, target, "claim", claim.value, claim.low, claim.high, claim.unit,
                        self.model.unit_symbol(claim.unit), self._factor(claim.unit, where),
                        claim.as_of, via)
        if target in self.model.assumptions:
            item = self.model.assumptions[target]
            return Leaf(key, target, "assumption", item.value, item.low, item.high, item.unit,
                        self.model.unit_symbol(item.unit), self._factor(item.unit, where),
                        item.as_of, via)
        raise ModelError(
            f"{where} refers to {short(target)}, which is not a claim, estimate, parameter "
            "or assumption of the knowledge base; check the IRI in dv:from"
        )

    def _override_leaf(self, key: str, target: str, override: Override, via: str | None,
                       where: str) -> Leaf:
        unit_iri: str | None = None
        as_of = None
        if target in self.model.claims:
            unit_iri = self.model.claims[target].unit
            as_of = self.model.claims[target].as_of
        elif target in self.model.assumptions:
            unit_iri = self.model.assumptions[target].unit
            as_of = self.model.assumptions[target].as_of
        elif target in self.model.estimates:
            unit_iri = self.model.estimates[target].unit
            as_of = self.model.estimates[target].target_date
        if override.unit is not None:
            quantity = units.parse(override.unit)
            factor = float(quantity.to_base_units().magnitude)
            text = units.describe(quantity)
            self.quantities[key] = quantity
            if unit_iri is not None:
                expected = units.quantity_of(self.model, unit_iri)
                if not units.same_dimension(expected, quantity):
                    raise UnitMismatch(
                        f"--set {override.name}: {override.unit!r} does not fit "
                        f"{short(unit_iri)} ({units.describe(expected)})"
                    )
            unit_iri = None
        elif unit_iri is None:
            raise ModelError(
                f"--set {override.name}: {where} has no unit to take the value in; "
                f"give one, e.g. --set {override.name}='{override.value} percent/year'"
            )
        else:
            factor = self._factor(unit_iri, where)
            text = self.model.unit_symbol(unit_iri)
        return Leaf(key, "", "override", override.value, None, None, unit_iri, text, factor,
                    as_of, via)

    def _factor(self, unit_iri: str, where: str) -> float:
        try:
            return units.factor(self.model, unit_iri)
        except UnitMismatch as exc:
            raise UnitMismatch(f"{where}: {exc}") from None

    # -- steps ----------------------------------------------------------------
    def compile(self, estimate_iri: str) -> Plan:
        self.collect(estimate_iri)
        self.check_cycles()
        plan = Plan(estimate_iri, self.scenario.iri if self.scenario else None)
        for key in nx.topological_sort(self.graph):
            if key in self.model.estimates and (
                key == estimate_iri or self._override_for(key) is None
            ):
                plan.steps.append(self.step(plan, key))
            elif key.endswith(DATA) and key[: -len(DATA)] in self.model.estimates:
                leaf = self.data_leaf(plan, key[: -len(DATA)])
                plan.leaves[key] = leaf
                self.quantities[key] = self._quantity(leaf.unit, leaf.unit_text)
            elif key not in plan.leaves:
                consumer = next(iter(self.graph.successors(key)))
                role = next(r.role for r in self.model.estimates[consumer].inputs
                            if self.resolve(r.target) == key)
                leaf = self.leaf(key, role, local_name(consumer))
                plan.leaves[key] = leaf
                if key not in self.quantities:
                    self.quantities[key] = self._quantity(leaf.unit, leaf.unit_text)
        unused = set(self.overrides) - self.used_overrides
        if unused:
            name = sorted(unused)[0]
            candidates = sorted({local_name(k) for k in plan.leaves}
                                | {local_name(s.key) for s in plan.steps}
                                | {local_name(leaf.source) for leaf in plan.leaves.values()
                                   if leaf.source})
            raise UnknownName(f"input of {local_name(estimate_iri)} (for --set)", name,
                              suggest(name, candidates))
        return plan

    def data_leaf(self, plan: Plan, estimate_iri: str) -> Leaf:
        """The result of an estimate over claims, computed once per knowledge base."""
        found = self.aggregates.get(estimate_iri)
        if found is None:
            raise ModelError(f"estimate {local_name(estimate_iri)} was not computed from its "
                             "selection; compile with derive.engine.compiled")
        if isinstance(found, DeriveError):
            raise found
        plan.aggregates[estimate_iri] = found
        estimate = self.model.estimates[estimate_iri]
        assert estimate.unit is not None
        return Leaf(estimate_iri + DATA, estimate_iri, "data", found.value, found.low,
                    found.high, estimate.unit, self.model.unit_symbol(estimate.unit),
                    found.unit_factor, estimate.target_date)

    def _quantity(self, unit_iri: str | None, text: str) -> Any:
        if unit_iri is None:
            return units.parse(text)
        return units.quantity_of(self.model, unit_iri)

    def step(self, plan: Plan, key: str) -> Step:
        estimate = self.model.estimates[key]
        where = f"estimate {estimate.name}"
        method = methods.get(estimate.method, where)
        if estimate.method in AGGREGATE_METHODS:
            return self.data_step(key)
        roles = [ref.role for ref in estimate.inputs]
        if len(set(roles)) != len(roles):
            raise ModelError(f"{where}: two inputs share a dv:role; give each its own name")
        if method.name != "Formula":
            methods.check_roles(method, roles, where)
        if estimate.unit is None:
            raise ModelError(f"{where} has no dv:unit; declare the unit it is reported in")
        horizons = self._horizons(plan, estimate, method, where)
        values = {ref.role: self.quantities[self.resolve(ref.target)]
                  for ref in estimate.inputs}
        try:
            if method.name == "Formula":
                if not estimate.expression:
                    raise ModelError(f"{where}: dv:Formula needs a dv:expression")
                formula = parse_formula(estimate.expression, set(roles), where)
                plan.formulas[key] = formula
                result = _formula_units(formula, values, horizons)
            else:
                assert method.unit is not None
                result = method.unit(values, horizons)
            declared = units.quantity_of(self.model, estimate.unit)
        except UnitMismatch as exc:
            raise UnitMismatch(f"{where}: {exc}") from None
        if not units.same_dimension(result, declared):
            raise UnitMismatch(
                f"{where}: its inputs give a result in {units.describe(result)}, which cannot be "
                f"expressed in its dv:unit {short(estimate.unit)} ({units.describe(declared)}); "
                "fix the unit or the inputs"
            )
        # the step's value is reported in its declared unit; downstream steps see that unit
        self.quantities[key] = declared
        return Step(
            key=key,
            method=method.name,
            inputs=tuple((ref.role, self.resolve(ref.target)) for ref in estimate.inputs),
            horizons=tuple(sorted(horizons.items())),
            unit=estimate.unit,
            unit_text=self.model.unit_symbol(estimate.unit),
            factor=float(declared.to_base_units().magnitude),
            target_date=estimate.target_date,
            expression=estimate.expression,
        )

    def data_step(self, key: str) -> Step:
        estimate = self.model.estimates[key]
        assert estimate.unit is not None
        self.quantities[key] = units.quantity_of(self.model, estimate.unit)
        return Step(key=key, method=estimate.method, inputs=(("data", key + DATA),),
                    horizons=(), unit=estimate.unit,
                    unit_text=self.model.unit_symbol(estimate.unit),
                    factor=float(self.quantities[key].to_base_units().magnitude),
                    target_date=estimate.target_date)

    def _horizons(self, plan: Plan, estimate: Any, method: methods.Method,
                  where: str) -> dict[str, float]:
        needed = list(method.dated_roles)
        if method.name == "Formula" and estimate.expression and "years(" in estimate.expression:
            needed = [ref.role for ref in estimate.inputs
                      if f"years({ref.role})" in estimate.expression.replace(" ", "")]
        horizons: dict[str, float] = {}
        for ref in estimate.inputs:
            if ref.role not in needed:
                continue
            if estimate.target_date is None:
                raise ModelError(
                    f"{where} has no dv:targetDate; a projection needs the date it is for"
                )
            target = self.resolve(ref.target)
            if target in plan.leaves:
                start = plan.leaves[target].as_of
            else:
                step = plan.step(target)
                start = step.target_date if step else None
            if start is None:
                raise ModelError(
                    f"{where}: input {ref.role!r} ({local_name(target)}) has no date "
                    "(dv:asOf or dv:targetDate); a projection needs one to start from"
                )
            horizons[ref.role] = dates.years_between(start, estimate.target_date)
        return horizons


def _formula_units(formula: Formula, values: dict[str, Any], horizons: dict[str, float]) -> Any:
    ureg = units.registry()

    def dimensionless(name: str) -> Any:
        def check(q: Any) -> Any:
            if not q.dimensionless:
                raise UnitMismatch(f"{name}() needs a dimensionless argument, not {q.units:~}")
            return ureg.Quantity(1.0)

        return check

    def same(a: Any, b: Any) -> Any:
        if a.dimensionality != b.dimensionality:
            raise UnitMismatch(f"min/max of {a.units:~} and {b.units:~}")
        return a

    algebra = Algebra(dimensionless("exp"), dimensionless("log"), lambda q: q**0.5, same, same,
                      lambda name: ureg.Quantity(1.0, name))

    try:
        return evaluate(formula, values, horizons, algebra)
    except pint.errors.DimensionalityError as exc:
        raise UnitMismatch(
            f"formula {formula.source!r} combines {exc.units1} with {exc.units2}"
            if exc.units2 else f"formula {formula.source!r}: {exc}"
        ) from None


def compile_plan(model: Model, estimate_iri: str, scenario: Scenario | None,
                 overrides: dict[str, Override] | None = None,
                 aggregates: dict[str, Aggregate | DeriveError] | None = None) -> Plan:
    """``aggregates`` holds the results of the estimates over claims (see
    ``derive.engine.compiled.aggregates``), computed once for every plan."""
    return _Compiler(model, scenario, overrides or {}, aggregates).compile(estimate_iri)
