"""Demo data hooks: each app adds its own demo records to `manage.py seed_demo`.

The clinic core never imports intake or scheduling; they register a seeder
in their AppConfig.ready(). Seeders run in registration order, after the
core's patients, rooms and staff exist, and must be idempotent.
"""

_seeders = []


def register_seeder(func):
    _seeders.append(func)
    return func


def run_seeders(stdout):
    for seeder in _seeders:
        seeder(stdout=stdout)
