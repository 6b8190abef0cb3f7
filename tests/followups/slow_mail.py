"""An email backend for the test that kills a worker mid-scan: each email is written to a
file in EMAIL_FILE_PATH, then the backend waits SLOW_MAIL_SECONDS, like an SMTP server
slow to answer after it has taken the message."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend


class EmailBackend(FileEmailBackend):
    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "0")))
        return sent
