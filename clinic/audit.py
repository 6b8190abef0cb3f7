"""Readable change logs from django-simple-history records."""

from dataclasses import dataclass

CHANGE_LOG_LIMIT = 200
HISTORY_TYPES = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class ChangeEntry:
    when: object
    who: object
    action: str
    changes: list


def _label(model, field_name):
    try:
        return model._meta.get_field(field_name).verbose_name
    except Exception:
        return field_name.replace("_", " ")


def change_log(history, limit=CHANGE_LOG_LIMIT):
    """Newest first; each entry names who did it and which fields changed from what to what.

    The records are read in one query (plus one per many-to-many field) and
    compared in memory, so the page's cost does not grow with its length.
    """
    records = list(
        history.select_related("history_user").order_by("-history_date", "-pk")[: limit + 1]
    )
    entries = []
    for index, record in enumerate(records[:limit]):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None and record.history_type == "~":
            delta = record.diff_against(older, foreign_keys_are_objs=False)
            model = record.instance_type
            changes = [
                FieldChange(str(_label(model, change.field)), change.old, change.new)
                for change in delta.changes
            ]
        entries.append(
            ChangeEntry(
                when=record.history_date,
                who=record.history_user,
                action=HISTORY_TYPES.get(record.history_type, record.history_type),
                changes=changes,
            )
        )
    return entries
