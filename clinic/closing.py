"""Closing days or shortening hours when sessions are already booked then.

The clinic core does not know about bookings; the scheduling app registers here
(in its AppConfig.ready()) a function that lists what a closure or new opening
hours would leave booked outside the clinic's time. The settings pages show that
list and ask for a confirmation; once saved, each is marked to rebook.
"""

_booked_finders = []


def register_booked_finder(func):
    """`func(change)` -> the bookings that `change` (an unsaved Closure or OpeningHours)
    leaves outside the clinic's time: objects with `str()` and `mark_to_rebook()`."""
    _booked_finders.append(func)
    return func


def booked_outside(change):
    return [booking for func in _booked_finders for booking in func(change)]
