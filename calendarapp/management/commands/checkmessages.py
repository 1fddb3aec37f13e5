"""`python manage.py checkmessages`: list what the translation catalogs lack (exit 1 if any).

The last step of `make messages`; the tests run the same check (tests/test_i18n.py).
"""

from django.core.management.base import BaseCommand, CommandError

from calendarapp.devtools.messages import problems


class Command(BaseCommand):
    help = "Check that every marked text has a fresh, compiled translation."

    def handle(self, *args, **options):
        found = problems()
        for problem in found:
            self.stderr.write(problem)
        if found:
            raise CommandError(f"{len(found)} translation problem(s), listed above.")
        self.stdout.write("Translations complete and compiled.")
