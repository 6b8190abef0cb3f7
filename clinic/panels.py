"""Sections that other apps add to the patient page and the staff home page.

The clinic core never imports intake or scheduling; they register here in
their AppConfig.ready(), as does an app that adds a section to the worklist. A panel
function takes the request (and the patient) and returns a Panel, or None when it has
nothing to show to this user.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Panel:
    title: str
    template_name: str
    context: dict = field(default_factory=dict)
    order: int = 100


_patient_panels = []
_home_panels = []
_worklist_panels = []


def register_patient_panel(func):
    _patient_panels.append(func)
    return func


def register_home_panel(func):
    _home_panels.append(func)
    return func


def register_worklist_panel(func):
    """A section of the staff worklist from an app the worklist does not know of."""
    _worklist_panels.append(func)
    return func


def patient_panels(request, patient):
    panels = (func(request, patient) for func in _patient_panels)
    return sorted((p for p in panels if p), key=lambda p: p.order)


def home_panels(request):
    panels = (func(request) for func in _home_panels)
    return sorted((p for p in panels if p), key=lambda p: p.order)


def worklist_panels(request):
    panels = (func(request) for func in _worklist_panels)
    return sorted((p for p in panels if p), key=lambda p: p.order)
