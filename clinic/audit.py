"""Readable change logs from django-simple-history records."""

from dataclasses import dataclass

from simple_history import utils as history_utils

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


def _many_to_many_values(records):
    """{field name: {history id: sorted names}} for the records' many-to-many fields.

    simple-history's own diff queries these twice per record; here it is one
    query per field (plus one for the names), whatever the number of records.
    """
    if not records:
        return {}
    model = records[0].instance_type
    values = {}
    for m2m_field in records[0]._history_m2m_fields:
        original = model._meta.get_field(m2m_field.name)
        target = history_utils.get_m2m_reverse_field_name(original)
        through = getattr(records[0], m2m_field.name).model
        rows = through.objects.filter(history__in=records).values_list("history_id", f"{target}_id")
        names = {obj.pk: str(obj) for obj in original.related_model.objects.all()}
        by_record = {}
        for history_id, target_id in rows:
            by_record.setdefault(history_id, []).append(names.get(target_id, target_id))
        values[m2m_field.name] = {key: sorted(items) for key, items in by_record.items()}
    return values


def change_log(history, limit=CHANGE_LOG_LIMIT):
    """Newest first; each entry names who did it and which fields changed from what to what.

    The records are read in one query (plus one or two per many-to-many field)
    and compared in memory, so the page's cost does not grow with its length.
    """
    records = list(
        history.select_related("history_user").order_by("-history_date", "-pk")[: limit + 1]
    )
    many_to_many = _many_to_many_values(records)
    entries = []
    for index, record in enumerate(records[:limit]):
        older = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if older is not None and record.history_type == "~":
            model = record.instance_type
            delta = record.diff_against(
                older, excluded_fields=list(many_to_many), foreign_keys_are_objs=False
            )
            changes = [
                FieldChange(str(_label(model, change.field)), change.old, change.new)
                for change in delta.changes
            ]
            for name, by_record in many_to_many.items():
                old = by_record.get(older.pk, [])
                new = by_record.get(record.pk, [])
                if old != new:
                    changes.append(
                        FieldChange(str(_label(model, name)), ", ".join(old), ", ".join(new))
                    )
        entries.append(
            ChangeEntry(
                when=record.history_date,
                who=record.history_user,
                action=HISTORY_TYPES.get(record.history_type, record.history_type),
                changes=changes,
            )
        )
    return entries
