from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cchc.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue an API token for USERNAME and print it (shown once; only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"Không có tài khoản '{options['username']}'") from exc
        if not user.is_active:
            raise CommandError(f"Tài khoản '{user.username}' đã bị khóa")
        _token, raw = ApiToken.issue(user, options["name"])
        self.stdout.write(raw)
