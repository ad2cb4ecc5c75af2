"""The mixed load of ``make load``, run by Locust (``locust -f bench/locustfile.py``).

Each simulated person is one of the plan's coordinators: they sign in through the sign-in
form (session and CSRF cookie), then read lists, details and the 3W roll-up of their country,
list organisations through the API and create some with their API token; now and then they
sign out and in again. The plan (users, password, tokens, ids) is a JSON file that
``bench.load`` writes and names in ``LOAD_PLAN``; ``LOAD_RATE`` is each person's requests per
second (0: as fast as the server answers, for measuring capacity).

Run only through ``bench.load``: Locust patches the standard library (gevent), so this module
is never imported by Django or the tests.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from pathlib import Path

from locust import HttpUser, between, constant_throughput, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
RATE = float(os.environ.get("LOAD_RATE", "0"))
_PEOPLE = itertools.cycle(PLAN["people"])

# The request kinds, as they are named in Locust's statistics and in docs/load.md.
SIGN_IN_PAGE = "sign-in page"
SIGN_IN = "sign-in (POST)"
SIGN_OUT = "sign-out (POST)"
LIST_ORGS = "list: organisations (HTML)"
LIST_PLACES = "list: places (HTML)"
DETAIL_ORG = "detail: organisation (HTML)"
THREE_W = "3W roll-up (HTML)"
API_LIST = "API list: organisations"
API_DETAIL = "API detail: organisation"
API_WRITE = "API write: create organisation"


class Coordinator(HttpUser):
    """One signed-in coordinator of one country."""

    wait_time = constant_throughput(RATE) if RATE > 0 else between(0, 0)

    def on_start(self) -> None:
        self.person = next(_PEOPLE)
        self.bearer = {"Authorization": f"Bearer {self.person['token']}"}
        self.sign_in()

    def _expect(self, response, *statuses: int) -> None:
        if response.status_code not in statuses:
            response.failure(f"HTTP {response.status_code}, expected {statuses}")

    def sign_in(self) -> None:
        self.client.cookies.clear()
        with self.client.get(
            "/accounts/login/", name=SIGN_IN_PAGE, catch_response=True
        ) as response:
            self._expect(response, 200)
        csrf = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.person["email"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": csrf,
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            allow_redirects=False,
            name=SIGN_IN,
            catch_response=True,
        ) as response:
            self._expect(response, 302)  # a failed sign-in answers 200 with the form again

    @task(1)
    def sign_out_and_in(self) -> None:
        csrf = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/accounts/logout/",
            data={"csrfmiddlewaretoken": csrf},
            headers={"Referer": f"{self.host}/"},
            allow_redirects=False,
            name=SIGN_OUT,
            catch_response=True,
        ) as response:
            self._expect(response, 302)
        self.sign_in()

    def _page(self, path: str, name: str, headers: dict[str, str] | None = None) -> None:
        with self.client.get(
            path, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            self._expect(response, 200)  # a redirect here would mean the session was lost

    @task(10)
    def list_organisations(self) -> None:
        self._page("/organisations/", LIST_ORGS)

    @task(10)
    def list_places(self) -> None:
        self._page("/places/index/", LIST_PLACES)

    @task(20)
    def organisation_detail(self) -> None:
        self._page(f"/organisations/{random.choice(self.person['organisations'])}/", DETAIL_ORG)

    @task(8)
    def three_w(self) -> None:
        self._page(random.choice(self.person["three_w"]), THREE_W)

    @task(10)
    def api_list(self) -> None:
        self._page("/api/organisations?limit=50", API_LIST, self.bearer)

    @task(10)
    def api_detail(self) -> None:
        organisation = random.choice(self.person["organisations"])
        self._page(f"/api/organisations/{organisation}", API_DETAIL, self.bearer)

    @task(8)
    def api_write(self) -> None:
        with self.client.post(
            "/api/organisations",
            json={
                "name": f"Load Test Association {uuid.uuid4().hex[:12]}",
                "sector": "civil_society",
                "level": "local",
                "place": self.person["write_place"],
                "tlp": 1,
            },
            headers=self.bearer,
            name=API_WRITE,
            catch_response=True,
        ) as response:
            self._expect(response, 201)
