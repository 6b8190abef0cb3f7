"""Pages of rows whose total is already known, so the paginator does not count again."""


class CountedRows:
    """A queryset with its count, for Django's Paginator: the page reads only its rows."""

    def __init__(self, queryset, count):
        self.queryset, self._count = queryset, count

    def count(self):
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]
