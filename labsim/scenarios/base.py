"""What a scenario is: a pure function from toggles to a :class:`~labsim.net.World`.

Each scenario declares its toggles (name, values, default, what each value means). A
scenario module builds a world from the toggles; :func:`labsim.run` plays it and judges it.
Students and exercises may also replace a host's SPD or PAD with their own text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import BadToggleValue, UnknownScenario, UnknownToggle


@dataclass(frozen=True)
class Toggle:
    name: str
    values: tuple[str, ...]
    default: str
    help: str
    meanings: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.default not in self.values:
            raise ValueError(f"default {self.default!r} of {self.name} is not among {self.values}")


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    section: str
    figure: int | None
    summary: str
    toggles: tuple[Toggle, ...]
    build: Callable = field(compare=False, repr=False)
    client: str = "host-a"
    cast: tuple[str, ...] = ()
    #: The flows the run is judged on, (id, short label); the first is the primary verdict. An
    #: application tags its packets with the id (``ClientApp(flow=...)``); a flow that leaves no
    #: trace in a run (say, an attack a toggle does not stage) is not judged, unless it is the first.
    flows: tuple[tuple[str, str], ...] = (("main", "the application's connection"),)

    def toggle(self, name: str) -> Toggle:
        for t in self.toggles:
            if t.name == name:
                return t
        raise UnknownToggle(self.id, name, [t.name for t in self.toggles] or ["(this scenario has no toggles)"])

    def resolve_toggles(self, given: dict[str, str] | None) -> dict[str, str]:
        """Every toggle's effective value; unknown names and values raise errors that list the choices."""
        values = {t.name: t.default for t in self.toggles}
        for name, value in (given or {}).items():
            toggle = self.toggle(name)
            value = str(value).strip().lower()
            if value not in toggle.values:
                raise BadToggleValue(self.id, name, value, toggle.values)
            values[name] = value
        return values

    def defaults(self) -> dict[str, str]:
        return {t.name: t.default for t in self.toggles}


REGISTRY: dict[str, Scenario] = {}


def register(scenario: Scenario) -> Scenario:
    REGISTRY[scenario.id] = scenario
    return scenario


def get(scenario_id: str) -> Scenario:
    from . import _load_all
    _load_all()
    if scenario_id not in REGISTRY:
        raise UnknownScenario(scenario_id, scenario_ids())
    return REGISTRY[scenario_id]


def scenario_ids() -> list[str]:
    from . import _load_all
    _load_all()
    order = ["basics", "fig1", "fig2", "fig3", "fig4", "fig5"]
    return sorted(REGISTRY, key=lambda s: (order.index(s) if s in order else len(order), s))
