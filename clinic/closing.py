"""Closing days or shortening hours when sessions are already booked then.

The clinic core does not know about bookings; the scheduling app registers here
(in its AppConfig.ready()) a function that lists what a closure or new opening
hours would leave booked outside the clinic's time. The settings pages show that
list and ask for a confirmation; once saved, each is marked to rebook.
"""

from django.contrib import messages

_booked_finders = []


def register_booked_finder(func):
    """`func(change)` -> the bookings that `change` (an unsaved Closure or OpeningHours)
    leaves outside the clinic's time: objects with `str()` and `mark_to_rebook()`."""
    _booked_finders.append(func)
    return func


def booked_outside(change):
    return [booking for func in _booked_finders for booking in func(change)]


def mark_to_rebook(bookings):
    """Saved anyway: each booking left outside the clinic's time goes on the worklist."""
    for booking in bookings:
        booking.mark_to_rebook()
    return len(bookings)


def tell_to_rebook(request, count):
    """Say on the next page how many sessions went on the worklist to rebook."""
    if count:
        messages.warning(request, f"{count} booked session(s) are on the worklist to rebook.")
