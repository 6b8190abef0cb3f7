"""The controlled-substance section of the session record, of the home page and of the
worklist, and the menu item: all for those who hold the keys."""

from clinic.navigation import NavItem, register_nav_item
from clinic.panels import Panel, register_home_panel, register_worklist_panel
from controlled import ledger
from controlled.administrations import Drawn
from controlled.attention import attention
from controlled.forms import DrawForm, RecordWasteForm
from controlled.models import Container, EntryKind, LedgerEntry, Product
from controlled.reference_data import CUSTODIAN
from scheduling.hooks import register_record_panel

DRAFT_KEY = "controlled_draft"

register_nav_item(NavItem("Controlled substances", "controlled:stock", permission=CUSTODIAN))


def drawn_containers(record):
    """The opened containers this record drew from that still hold something (to waste),
    each with its balance."""
    drawn = LedgerEntry.objects.filter(session_record=record, kind=EntryKind.ADMINISTRATION).values(
        "container"
    )
    return (
        Container.objects.in_stock()
        .filter(pk__in=drawn)
        .with_balance()
        .select_related("product", "location")
    )


def keep_draft(request, record, step, data):
    """What the nurse typed into a step that was refused, for the page to show again."""
    request.session[DRAFT_KEY] = {"record": record.pk, "step": step, "data": data}


def _draft(request, record, step):
    draft = request.session.get(DRAFT_KEY)
    if not draft or draft.get("record") != record.pk or draft.get("step") != step:
        return None
    del request.session[DRAFT_KEY]
    return draft["data"]


@register_record_panel
def controlled_record_panel(request, record):
    if not request.user.has_perm(CUSTODIAN) or record.pk is None:
        return None  # a record is saved by its first step, the checklist
    drug = Product.drug_for_route(record.appointment.route_id)
    drawn = Drawn.shown(record)
    context = {
        "record": record,
        "appointment": record.appointment,
        "draws": drawn.entries,
        "drawn_mg": drawn.mg,
    }
    wastable = list(drawn_containers(record))
    context["wastable"] = wastable
    if wastable:
        typed = _draft(request, record, "waste")
        context["waste_form"] = RecordWasteForm(
            initial=typed
            or {"container": wastable[0].pk, "mg": ledger.amount_text(wastable[0].balance_mg)},
            request=request,
            containers=drawn_containers(record),
            auto_id="waste_%s",  # beside the draw form's fields of the same names
        )
    if record.can_record:
        typed = _draft(request, record, "draw")
        context["draw_form"] = DrawForm(initial=typed or _draw_initial(record, drawn), drug=drug)
    return Panel(
        title="Controlled substance: drawn from stock",
        template_name="controlled/record_panel.html",
        context=context,
        order=10,
    )


def _draw_initial(record, drawn):
    if record.dose_amount and record.dose_unit == "mg":
        remaining = record.dose_amount - drawn.mg
        return {"mg": ledger.amount_text(remaining)} if remaining > 0 else {}
    return {}


@register_home_panel
def controlled_home_panel(request):
    if not request.user.has_perm(CUSTODIAN):
        return None
    found = attention()
    if not found.total:
        return None
    return Panel(
        title="Controlled substances: to act on",
        template_name="controlled/attention_panel.html",
        context={"attention": found},
        order=12,
    )


@register_worklist_panel
def controlled_worklist_panel(request):
    if not request.user.has_perm(CUSTODIAN):
        return None
    return Panel(
        title="Controlled substances: counts and losses",
        template_name="controlled/attention_panel.html",
        context={"attention": attention(), "show_empty": True},
        order=10,
    )
