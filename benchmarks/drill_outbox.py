#!/usr/bin/env python
"""Fault drill: share 40 records through the sharing page while the broker is down.

    .venv/bin/python benchmarks/drill_outbox.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cse_drill .venv/bin/python benchmarks/drill_outbox.py

Makes a throwaway test database on the configured server (the configured name with
the `test_` prefix, dropped at the end), an area with two agencies, a practitioner who
records `--posts` children and a CSE coordinator in the other agency. Then, with the
broker pointed at an address that refuses connections (`--broker`, default
redis://127.0.0.1:1/0), it POSTs one share per child through the sharing page with
django.test.Client, as a browser would, and counts the answers. Afterwards it runs
the periodic outbox sweep in-process, as beat and a worker do once the broker is
back, and counts the e-mails the coordinator received (Django's in-memory mail
backend) and how many distinct Message-IDs they carry.

Prints one line per figure; exits 1 if any request failed with a server error, or the
e-mails sent differ from the e-mails expected.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cse.settings_test")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=40)
    parser.add_argument("--broker", default="redis://127.0.0.1:1/0")
    args = parser.parse_args(argv)
    os.environ["CELERY_BROKER_URL"] = args.broker

    import django

    django.setup()

    from django.core import mail
    from django.test import Client
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
    )

    from cse import celery_app

    setup_test_environment()
    # The test overlay runs tasks in-process; the drill needs the real broker path.
    celery_app.conf.task_always_eager = False
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        return _drill(args, mail, Client)
    finally:
        teardown_databases(old_config, verbosity=0)


def _drill(args, mail, Client) -> int:
    from django.db import connection
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cse import tasks
    from cse.models import Agency, Notification, Role, SharingDecision
    from tests.factories import AgencyFactory, LocalAreaFactory, UserFactory, make_child

    area = LocalAreaFactory(name="Drillshire", slug="drillshire")
    owner = AgencyFactory(
        name="Drillshire Children's Services",
        kind=Agency.Kind.SOCIAL_CARE,
        local_area=area,
    )
    receiver = AgencyFactory(
        name="Drillshire Police", kind=Agency.Kind.POLICE, local_area=area
    )
    practitioner = UserFactory(
        username="drill-practitioner", agency=owner, roles=[Role.PRACTITIONER]
    )
    UserFactory(
        username="drill-coordinator", agency=receiver, roles=[Role.CSE_COORDINATOR]
    )
    children = [
        make_child(practitioner, forename="Testchild", surname=f"Drillsample{n:02d}")
        for n in range(args.posts)
    ]

    client = Client(raise_request_exception=False)
    client.force_login(practitioner)
    device = TOTPDevice.objects.create(
        user=practitioner, name="Authenticator app", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    mail.outbox = []
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    for child in children:
        response = client.post(
            reverse("cse:share_create", args=[child.pk]),
            {
                "agency": receiver.pk,
                "decision": SharingDecision.Decision.SHARE,
                "purpose": "Drill: joint investigation",
                "consent": SharingDecision.Consent.GIVEN,
                "consent_reason": "",
            },
        )
        statuses[response.status_code] += 1
    elapsed = time.monotonic() - started

    decisions = SharingDecision.objects.filter(
        agency=receiver, decision=SharingDecision.Decision.SHARE
    ).count()
    notifications = Notification.objects.filter(user__agency=receiver).count()
    during = len(mail.outbox)

    sweep = getattr(tasks, "sweep_outbox", None)
    if sweep is not None:
        sweep.apply()
        sweep.apply()  # a second run (the next beat tick) must send nothing more
    sent = len(mail.outbox)
    message_ids = {m.extra_headers.get("Message-ID") for m in mail.outbox}

    print(f"database            {connection.vendor}")
    print(f"broker              {args.broker} (refusing connections)")
    print(f"sharing POSTs       {args.posts} in {elapsed:.1f} s")
    print(f"answers             {dict(sorted(statuses.items()))}")
    print(f"server errors (5xx) {sum(n for s, n in statuses.items() if s >= 500)}")
    print(f"decisions saved     {decisions}")
    print(f"notifications saved {notifications}")
    print(f"e-mails expected    {notifications}")
    print(f"e-mails during      {during}")
    print(f"sweep               {'ran twice' if sweep else 'none in this version'}")
    print(f"e-mails sent        {sent}")
    print(f"distinct Message-ID {len(message_ids - {None})}")
    failed = any(status >= 500 for status in statuses) or sent != notifications
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
