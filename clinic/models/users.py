from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from clinic.access import access_of, new_access_token


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Staff accounts need an email address.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        # Email addresses are typed in any letter case.
        return self.get(email__iexact=username)

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A member of staff. Patients never have accounts; they use private links."""

    username = None
    email = models.EmailField("email address", unique=True)
    # Set by clinic.two_factor.two_factor_reset, so that each reset, and who made it,
    # is in the staff member's change history.
    two_factor_reset_at = models.DateTimeField(
        "two-factor login last reset", null=True, blank=True, editable=False
    )

    # Changed with the account's roles and permissions (clinic/access.py), so every server
    # reads them again on the account's next request.
    access_token = models.CharField(max_length=12, default=new_access_token, editable=False)

    history = HistoricalRecords(excluded_fields=["password", "last_login", "access_token"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        verbose_name = "staff member"
        verbose_name_plural = "staff"
        constraints = [
            # Logins match the email in any letter case, so two accounts may not differ by
            # case alone (which would make the login ambiguous).
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_in_any_case",
                violation_error_message="A staff account with this email address already exists.",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def role_names(self):
        return list(access_of(self).roles)
