"""`make scaleout-check`: the app on two app servers at once, proven on this machine.

Two gunicorn servers (deploy/gunicorn.conf.py, production settings, BEHIND_PROXY=1) on
two loopback ports, behind nginx with the site of deploy/nginx/clinic.conf (rewritten into
a throwaway folder: both servers in its upstream, a self-signed certificate, loopback
ports), two reminder workers, and one PostgreSQL database made for the run (migrate,
seed_demo). Then five checks, each printed PASS or FAIL; the exit status is 1 if one fails:

  a. a login made through one server is valid on the other;
  b. the login lockout and the patient-link throttle count across both servers;
  c. 20 simultaneous bookings of one chair at one time, sent across both, book one;
  d. reminders due while both workers run are each sent once;
  e. stopping one server (TERM) under load loses no request.

The throwaway nginx adds one header to each answer, X-Upstream, naming the server that
answered, so each check can say which server did what. Everything started is stopped and
the database dropped at the end, whatever happened (SCALEOUT_KEEP=1 keeps the database and
the folder, with every process's log, to look at).

SCALEOUT_SERVER_URL: the PostgreSQL server (default postgres://postgres@127.0.0.1:5432);
SCALEOUT_DATABASE: the database it creates and drops (default scaleout_check);
SCALEOUT_PORT: the first of the loopback ports it uses (default 8600: 8601 and 8602 for the
app servers, 8643 for nginx's HTTPS, 8680 for its HTTP).
"""

import collections
import contextlib
import datetime
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "clinic.example.org"
SERVER_URL = os.environ.get("SCALEOUT_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("SCALEOUT_DATABASE", "scaleout_check")
BASE_PORT = int(os.environ.get("SCALEOUT_PORT", "8600"))
APP_PORTS = (BASE_PORT + 1, BASE_PORT + 2)
HTTPS_PORT = BASE_PORT + 43
HTTP_PORT = BASE_PORT + 80
ORIGIN = f"https://{HOST}:{HTTPS_PORT}"

FRONT_DESK = ("frontdesk@demo.clinic", "demo-frontdesk-pass")
NURSE = ("nurse@demo.clinic", "demo-nurse-pass-1")
RACING_BOOKINGS = 20
DUE_FOLLOW_UPS = 12
LOCKOUT_AFTER = 5  # AXES_FAILURE_LIMIT's default, which the servers run with
LINK_OPENS_ALLOWED = 30  # clinic.link_sessions.OPEN_LIMIT
# Recovery codes for the demo accounts' second step, made in the setup (seed_demo sets up
# their two-factor login); each works once.
RECOVERY_CODES = {}


class CheckFailed(Exception):
    pass


# -- Processes ---------------------------------------------------------------------------


class Processes:
    """Every process the check starts, each in its own process group, with a log file."""

    def __init__(self, work):
        self.work = work
        self.started = []

    def start(self, name, args, env):
        log = (self.work / f"{name}.log").open("w")
        process = subprocess.Popen(  # noqa: S603 - this repository's commands, fixed arguments
            args,
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append((name, process))
        return process

    def log(self, name):
        return (self.work / f"{name}.log").read_text(errors="replace")

    @staticmethod
    def stop(process, timeout=20):
        """TERM to the whole group, then KILL if it has not ended in `timeout` seconds."""
        for signum in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):  # the group has ended already
                os.killpg(process.pid, signum)
            try:
                process.wait(timeout=timeout)
                return
            except subprocess.TimeoutExpired:
                continue

    def stop_all(self):
        for _, process in reversed(self.started):
            self.stop(process)


def run(args, env, **kwargs):
    subprocess.run(args, cwd=PROJECT, env=env, check=True, **kwargs)  # noqa: S603 - fixed commands


def port_is_free(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def wait_until(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise CheckFailed(f"timed out waiting for {what}")


# -- HTTP through nginx ------------------------------------------------------------------


class Answer:
    def __init__(self, response):
        self.status = response.status
        self.location = response.getheader("Location", "")
        # After a retry nginx lists every server it tried; the last one answered.
        self.server = response.getheader("X-Upstream", "").split(",")[-1].strip()
        self.body = response.read().decode(errors="replace")
        self.cookies = response.headers.get_all("Set-Cookie") or []


class Browser:
    """One visitor of https://clinic.example.org:HTTPS_PORT (nginx): keeps its cookies."""

    def __init__(self, context):
        self.context = context
        self.cookies = {}

    def request(self, method, path, form=None):
        connection = http.client.HTTPSConnection(
            "127.0.0.1", HTTPS_PORT, context=self.context, timeout=30
        )
        headers = {"Host": f"{HOST}:{HTTPS_PORT}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = ORIGIN
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = Answer(connection.getresponse())
        finally:
            connection.close()
        for header in answer.cookies:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return answer

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, form)

    def copy(self):
        other = Browser(self.context)
        other.cookies = dict(self.cookies)
        return other


def csrf_token(page):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if match is None:
        raise CheckFailed(f"no CSRF token in the page (status {page.status})")
    return match.group(1)


def staff_log_in(browser, email, password, token=None):
    """Log a member of staff in; returns the answer to the last step.

    The one place that knows how the staff login goes: when it gains a step (a second
    factor), that step goes here. `token`: a CSRF token from an earlier login page, so that
    repeated tries are only POSTs (they then alternate between the servers).
    """
    if token is None:
        token = csrf_token(browser.get("/accounts/login/"))
    answer = browser.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": email, "password": password},
    )
    if answer.status != 302:
        return answer
    # The second factor: one of the account's recovery codes.
    token = csrf_token(browser.get("/accounts/two-factor/recovery/"))
    return browser.post(
        "/accounts/two-factor/recovery/",
        {"csrfmiddlewaretoken": token, "code": RECOVERY_CODES[email].pop()},
    )


def servers(answers):
    return {answer.server for answer in answers}


def all_servers():
    return {f"127.0.0.1:{port}" for port in APP_PORTS}


# -- The setup ---------------------------------------------------------------------------


def environment(work):
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        "DATABASE_URL": f"{SERVER_URL}/{DATABASE}",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": ORIGIN,
        "SITE_URL": ORIGIN,
        "BEHIND_PROXY": "1",
        "TRUSTED_PROXIES": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(work / "mail-web"),
        "LOG_LEVEL": "INFO",
    }


def database_create(env):
    admin = [f"--maintenance-db={SERVER_URL}/postgres"]
    quiet = {**env, "PGOPTIONS": "-c client_min_messages=warning"}
    run(["dropdb", *admin, "--if-exists", "--force", DATABASE], quiet)
    run(["createdb", *admin, DATABASE], quiet)
    python = [sys.executable, "manage.py"]
    run([*python, "migrate", "--noinput", "-v0"], env)
    run([*python, "seed_demo"], {**env, "DEBUG": "1"}, stdout=subprocess.DEVNULL)
    run([*python, "collectstatic", "--noinput", "-v0"], env)


def database_drop(env):
    run(
        ["dropdb", f"--maintenance-db={SERVER_URL}/postgres", "--if-exists", "--force", DATABASE],
        {**env, "PGOPTIONS": "-c client_min_messages=warning"},
    )


def django_setup(env):
    """This process reads and writes the check's database through the app's own models."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "clinic.settings"
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()


def recovery_codes_make():
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    for email, _password in (FRONT_DESK, NURSE):
        device = StaticDevice.objects.get(user__email=email)
        RECOVERY_CODES[email] = [
            device.token_set.create(token=StaticToken.random_token()).token for _ in range(5)
        ]


def race_data():
    """A free chair, and for each racing booking its own cleared patient and nurse, on a
    weekday four weeks ahead when the demo clinic is open: only the chair can refuse."""
    from django.contrib.auth.models import Group

    from clinic.models import Clinic, Closure, OpeningHours, Patient, Room, Route, User
    from scheduling.models import ClinicianHours

    iv = Route.objects.get(code="iv")
    chair = Room.objects.create(name="Scale-out chair")
    chair.routes.add(iv)
    today = datetime.datetime.now(Clinic.load().zone).date()
    day = today + datetime.timedelta(days=28)
    while (
        not OpeningHours.objects.filter(weekday=day.weekday()).exists()
        or Closure.objects.filter(starts_on__lte=day, ends_on__gte=day).exists()
    ):
        day += datetime.timedelta(days=1)
    hours = OpeningHours.objects.get(weekday=day.weekday())
    starts = (datetime.datetime.combine(day, hours.opens_at) + datetime.timedelta(hours=1)).time()
    nurses = Group.objects.get(name="Nurse")
    bookings = []
    for n in range(RACING_BOOKINGS):
        nurse = User.objects.create_user(email=f"race-nurse-{n}@scaleout.test", password=None)
        nurse.groups.add(nurses)
        ClinicianHours.objects.create(
            clinician=nurse,
            weekday=day.weekday(),
            starts_at=hours.opens_at,
            ends_at=hours.closes_at,
        )
        patient = Patient.objects.create(
            legal_first_name="Race",
            legal_last_name=f"Patient {n}",
            date_of_birth=datetime.date(1980, 1, 1) + datetime.timedelta(days=n),
            phone=f"41555599{n:02d}",
            email=f"race-{n}@scaleout.test",
        )
        patient.cleared_routes.add(iv)
        bookings.append((patient.pk, nurse.pk))
    return chair, day, starts, bookings


def follow_ups_due():
    """Follow-ups whose window opens tomorrow, not booked: each is owed one reminder email."""
    from clinic.models import Clinic, Patient
    from followups.models import FollowUp, FollowUpKind

    tomorrow = datetime.datetime.now(Clinic.load().zone).date() + datetime.timedelta(days=1)
    addresses = []
    for n in range(DUE_FOLLOW_UPS):
        patient = Patient.objects.create(
            legal_first_name="Reminder",
            legal_last_name=f"Patient {n}",
            date_of_birth=datetime.date(1970, 1, 1) + datetime.timedelta(days=n),
            phone=f"41555598{n:02d}",
            email=f"reminder-{n}@scaleout.test",
        )
        FollowUp.objects.create(
            patient=patient,
            kind=FollowUpKind.PHONE,
            due_from=tomorrow,
            due_by=tomorrow + datetime.timedelta(days=6),
        )
        addresses.append(patient.email)
    return addresses


def nginx_config(work):
    """deploy/nginx/clinic.conf with both servers upstream, on loopback ports, in `work`."""
    site = (PROJECT / "deploy/nginx/clinic.conf").read_text()
    upstream = "".join(f"    server 127.0.0.1:{port} fail_timeout=0;\n" for port in APP_PORTS)
    replacements = [
        ("    server 127.0.0.1:8000 fail_timeout=0;\n", upstream),
        ("/etc/letsencrypt/live/clinic.example.org/", f"{work}/"),
        ("/var/log/nginx/", f"{work}/logs/"),
        ("/srv/clinic/app/staticfiles/", f"{PROJECT}/staticfiles/"),
        ("/var/www/html", f"{work}/www"),
        ("    listen 80;\n    listen [::]:80;\n", f"    listen 127.0.0.1:{HTTP_PORT};\n"),
        (
            "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n",
            f"    listen 127.0.0.1:{HTTPS_PORT} ssl http2;\n",
        ),
        (
            "        proxy_pass http://clinic_app;\n",
            "        proxy_pass http://clinic_app;\n"
            "        add_header X-Upstream $upstream_addr always;  # the check's own\n",
        ),
    ]
    for old, new in replacements:
        if old not in site:
            raise CheckFailed(f"deploy/nginx/clinic.conf no longer has {old.strip()!r}")
        site = site.replace(old, new)
    (work / "logs").mkdir()
    (work / "www").mkdir()
    (work / "clinic.conf").write_text(site)
    mime_types = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    (work / "nginx.conf").write_text(
        f"daemon off;\npid {work}/nginx.pid;\nerror_log {work}/logs/error.log warn;\n"
        f"events {{}}\nhttp {{\n    {mime_types}\n    include {work}/clinic.conf;\n}}\n"
    )
    run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={HOST}",
            "-keyout",
            f"{work}/privkey.pem",
            "-out",
            f"{work}/fullchain.pem",
        ],  # fmt: skip
        os.environ,
        stderr=subprocess.DEVNULL,
    )


def start_everything(processes, env, work):
    for n in (1, 2):
        worker_env = {**env, "EMAIL_FILE_PATH": str(work / f"mail-worker-{n}")}
        processes.start(
            f"worker-{n}", [sys.executable, "manage.py", "reminders_worker"], worker_env
        )
    for n, port in enumerate(APP_PORTS, start=1):
        server_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "3"}
        processes.start(
            f"app-{n}", [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"], server_env
        )
    processes.start("nginx", ["nginx", "-p", str(work), "-c", str(work / "nginx.conf")], env)


def healthy(context):
    try:
        return Browser(context).get("/healthz").status == 200
    except OSError:
        return False


# -- The checks --------------------------------------------------------------------------


def check_shared_sessions(context):
    browser = Browser(context)
    login = staff_log_in(browser, *FRONT_DESK)
    if login.status != 302:
        raise CheckFailed(f"the login answered {login.status}")
    pages = [browser.get("/") for _ in range(4)]
    elsewhere = [page for page in pages if page.server != login.server]
    if not elsewhere or any(page.status != 200 for page in pages):
        raise CheckFailed(f"home page answers {[(p.server, p.status) for p in pages]}")
    return (
        f"logged in through {login.server}; the home page answered 200 by "
        f"{elsewhere[0].server} with the same session"
    )


def check_shared_lockout(context):
    browser = Browser(context)
    token = csrf_token(browser.get("/accounts/login/"))
    failures = []
    while len(failures) <= LOCKOUT_AFTER:
        answer = staff_log_in(browser, NURSE[0], "not the password", token=token)
        failures.append(answer)
        if answer.status == 429:
            break
    # The one that reaches the limit is answered with the lockout already.
    if failures[-1].status != 429 or len(failures) != LOCKOUT_AFTER:
        raise CheckFailed(f"wrong passwords answered {[a.status for a in failures]}")
    if servers(failures) != all_servers():
        raise CheckFailed(f"the wrong passwords all went to {servers(failures)}")
    right = [staff_log_in(browser, *NURSE, token=token) for _ in range(2)]
    if any(a.status != 429 for a in right) or servers(right) != all_servers():
        raise CheckFailed(
            f"the right password then answered {[(a.server, a.status) for a in right]}"
        )
    per_server = collections.Counter(a.server for a in failures)
    spread = ", ".join(f"{n} to {server}" for server, n in sorted(per_server.items()))
    return (
        f"{LOCKOUT_AFTER} wrong passwords ({spread}) "
        f"locked the account, the last one answered 429; then the right password is refused "
        f"(429) by both servers"
    )


def check_shared_link_throttle(context):
    browser = Browser(context)
    answers = [
        browser.get("/intake/start/no-such-link-token/") for _ in range(LINK_OPENS_ALLOWED + 4)
    ]
    allowed, limited = answers[:LINK_OPENS_ALLOWED], answers[LINK_OPENS_ALLOWED:]
    if any(a.status != 404 for a in allowed) or any(a.status != 429 for a in limited):
        raise CheckFailed(f"link opens answered {[a.status for a in answers]}")
    if servers(allowed) != all_servers() or servers(limited) != all_servers():
        raise CheckFailed("the answers did not come from both servers")
    per_server = collections.Counter(a.server for a in allowed)
    return (
        f"{LINK_OPENS_ALLOWED} opens of a bad link answered 404 "
        f"({', '.join(f'{n} by {s}' for s, n in sorted(per_server.items()))}), "
        f"then 429 from both servers"
    )


def check_racing_bookings(context, race):
    from django.urls import reverse

    from scheduling.models import Appointment

    chair, day, starts, bookings = race
    browser = Browser(context)
    if staff_log_in(browser, *FRONT_DESK).status != 302:
        raise CheckFailed("the front desk could not log in")
    first_patient = bookings[0][0]
    token = csrf_token(browser.get(reverse("scheduling:appointment_create", args=[first_patient])))
    barrier = threading.Barrier(len(bookings))
    answers = [None] * len(bookings)

    def book(index, patient_pk, nurse_pk):
        form = {
            "csrfmiddlewaretoken": token,
            "route": "iv",
            "day": day.isoformat(),
            "time": starts.strftime("%H:%M"),
            "room": chair.pk,
            "clinician": nurse_pk,
        }
        path = reverse("scheduling:appointment_create", args=[patient_pk])
        visitor = browser.copy()
        barrier.wait(timeout=30)
        try:
            answers[index] = visitor.post(path, form)
        except OSError as error:
            answers[index] = error

    threads = [threading.Thread(target=book, args=(i, *pair)) for i, pair in enumerate(bookings)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    booked = [a for a in answers if isinstance(a, Answer) and a.status == 302]
    refused = [
        a
        for a in answers
        if isinstance(a, Answer) and a.status == 200 and "This time cannot be booked" in a.body
    ]
    in_chair = Appointment.objects.filter(room=chair).count()
    if len(booked) != 1 or len(refused) != len(bookings) - 1 or in_chair != 1:
        statuses = [getattr(a, "status", a) for a in answers]
        raise CheckFailed(f"answers {statuses}; {in_chair} sessions in the chair")
    return (
        f"{len(bookings)} bookings at once ({len(servers(booked + refused))} servers): "
        f"1 booked by {booked[0].server}, {len(refused)} refused with the chair's conflict; "
        f"1 session in the chair"
    )


def emails_written(folder):
    """(recipient, subject) of each email the file backend wrote into `folder`."""
    if not folder.exists():
        return []
    emails = []
    for path in folder.iterdir():
        text = path.read_text(errors="replace")
        for message in text.split("-" * 79):
            to = re.search(r"^To: (.+)$", message, re.MULTILINE)
            subject = re.search(r"^Subject: (.+)$", message, re.MULTILINE)
            if to and subject:
                emails.append((to.group(1).strip(), subject.group(1).strip()))
    return emails


def check_reminders_once(processes, work, addresses):
    from followups.models import Reminder

    def scanned(n):
        log = processes.log(f"worker-{n}")
        return "Reminder scan:" in log or "Reminder scan skipped" in log

    wait_until(lambda: scanned(1) and scanned(2), "both workers' first scan")
    sent = {n: emails_written(work / f"mail-worker-{n}") for n in (1, 2)}
    everything = sent[1] + sent[2]
    twice = [email for email, n in collections.Counter(everything).items() if n > 1]
    follow_up_mails = collections.Counter(
        to
        for to, subject in everything
        if to in addresses and subject == "Time to book your follow-up appointment"
    )
    rows_sent = Reminder.objects.filter(status=Reminder.Status.SENT).count()
    if twice or follow_up_mails != dict.fromkeys(addresses, 1) or rows_sent != len(everything):
        raise CheckFailed(
            f"sent twice: {twice}; follow-up emails {dict(follow_up_mails)}; "
            f"{rows_sent} reminders recorded as sent, {len(everything)} emails written"
        )
    skipped = "".join(
        f"; worker {n} found the other scanning and skipped its turn"
        for n in (1, 2)
        if "Reminder scan skipped" in processes.log(f"worker-{n}")
    )
    return (
        f"{len(everything)} emails, none twice (worker 1 sent {len(sent[1])}, worker 2 "
        f"{len(sent[2])}{skipped}), {len(addresses)} follow-up reminders each once"
    )


def check_graceful_stop(context, processes):
    stopping = dict(processes.started)["app-2"]
    answers, errors = [], []
    done = threading.Event()

    def load():
        browser = Browser(context)
        while not done.is_set():
            try:
                answers.append((time.monotonic(), browser.get("/accounts/login/")))
            except OSError as error:
                errors.append(error)

    clients = [threading.Thread(target=load) for _ in range(4)]
    for client in clients:
        client.start()
    time.sleep(2)
    stopped_at = time.monotonic()
    stopping.send_signal(signal.SIGTERM)  # to the master only, as systemctl stop does
    try:
        exit_code = stopping.wait(timeout=40)
        took = time.monotonic() - stopped_at
        time.sleep(2)
    finally:
        done.set()
        for client in clients:
            client.join(timeout=40)
    failed = [answer for _, answer in answers if not 200 <= answer.status < 300]
    stopped_server = f"127.0.0.1:{APP_PORTS[1]}"
    before = [a for t, a in answers if t < stopped_at]
    after = [a for t, a in answers if t >= stopped_at + took]
    if failed or errors or exit_code != 0 or servers(after) != all_servers() - {stopped_server}:
        raise CheckFailed(
            f"{len(failed)} non-2xx answers {[a.status for a in failed][:10]}, {len(errors)} "
            f"errors {errors[:3]}, exit code {exit_code}, answered after by {servers(after)}"
        )
    return (
        f"{len(answers)} GETs by 4 clients, {stopped_server} sent TERM mid-way (it finished its "
        f"requests and exited 0 in {took:.1f} s); {len(before)} answered before by both servers, "
        f"every one after by the other; non-2xx answers: 0, errors: 0"
    )


# -- Main --------------------------------------------------------------------------------


def main():
    if shutil.which("nginx") is None:
        print("nginx is missing: apt-get install -y nginx", file=sys.stderr)
        return 1
    # A CI job's timeout sends TERM: clean up as after Ctrl-C.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="scaleout-check-"))
    work.chmod(0o711)  # nginx's workers (another user) reach its temporary folders
    env = environment(work)
    processes = Processes(work)
    results = []
    django_ready = False
    try:
        for port in (*APP_PORTS, HTTPS_PORT, HTTP_PORT):
            if not port_is_free(port):
                raise CheckFailed(f"port {port} is in use (SCALEOUT_PORT picks other ports)")
        print(f"== Database {DATABASE}: migrate, seed_demo, collectstatic", flush=True)
        database_create(env)
        django_setup(env)
        django_ready = True
        recovery_codes_make()
        race = race_data()
        addresses = follow_ups_due()
        from django.db import connections

        connections.close_all()
        nginx_config(work)
        print(
            f"== Two app servers (127.0.0.1:{APP_PORTS[0]}, :{APP_PORTS[1]}), two workers, "
            f"nginx on https://127.0.0.1:{HTTPS_PORT}",
            flush=True,
        )
        context = ssl.create_default_context(cafile=str(work / "fullchain.pem"))
        context.check_hostname = False  # the certificate names clinic.example.org
        start_everything(processes, env, work)
        wait_until(lambda: healthy(context), "/healthz through nginx to answer 200")
        checks = [
            ("a. a login through one server is valid on the other", check_shared_sessions, ()),
            ("b. the login lockout is shared", check_shared_lockout, ()),
            ("b. the patient-link throttle is shared", check_shared_link_throttle, ()),
            ("c. 20 racing bookings of one chair book one", check_racing_bookings, (race,)),
            (
                "d. reminders due with two workers are each sent once",
                lambda c: check_reminders_once(processes, work, addresses),
                (),
            ),
            (
                "e. stopping one app server under load loses no request",
                lambda c: check_graceful_stop(c, processes),
                (),
            ),
        ]
        for title, check, args in checks:
            try:
                detail = check(context, *args)
                results.append(True)
                print(f"PASS {title}: {detail}", flush=True)
            except Exception as error:  # noqa: BLE001 - each check reports its own failure
                results.append(False)
                print(f"FAIL {title}: {type(error).__name__}: {error}", flush=True)
    except (CheckFailed, subprocess.CalledProcessError) as error:
        print(f"FAIL setting up: {error}", flush=True)
        results.append(False)
    finally:
        if django_ready:
            from django.db import connections

            connections.close_all()
        processes.stop_all()
        if not all(results):
            for name, _ in processes.started:
                tail = processes.log(name).splitlines()[-15:]
                print(f"-- the end of {name}'s log:", *tail, sep="\n  ")
        if os.environ.get("SCALEOUT_KEEP") == "1":
            print(f"Kept the database {DATABASE} and {work} (logs of every process).")
        else:
            database_drop(env)
            shutil.rmtree(work, ignore_errors=True)
    passed = all(results) and bool(results)
    print(
        f"== {'Every check passed' if passed else 'A check failed'} "
        f"in {time.monotonic() - started:.0f} s; everything started is stopped."
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
