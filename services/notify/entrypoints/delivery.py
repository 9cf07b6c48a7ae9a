"""The delivery process as a loop: a background thread of `pbctl serve` (embedded) or a process
of its own (`pbctl notify deliver`, started by `make run-distributed`). Its state is the
messages table: stopping or crashing loses nothing, a second process on PostgreSQL shares the
queue (claims skip locked rows)."""

from __future__ import annotations

import logging
import threading

from services.notify.service_layer.delivery import Channels, deliver_due

log = logging.getLogger("partybuilding.notify.delivery")


class DeliveryLoop:
    """Rounds of `deliver_due` until stopped: at once while a round was full, else every `poll` seconds."""

    def __init__(self, uows, channels: Channels, poll_seconds: float = 1.0, batch: int = 100):
        self.uows, self.channels, self.poll, self.batch = uows, channels, poll_seconds, batch
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                full = deliver_due(self.uows, self.channels, batch=self.batch) >= self.batch
            except Exception:  # the database away: wait and try again
                log.exception("delivery round failed")
                full = False
            if not full:
                self.stopped.wait(self.poll)

    def start(self) -> DeliveryLoop:
        self.thread = threading.Thread(target=self.run, name="notify-delivery", daemon=True)
        self.thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout)


def channels_for(organization, timeout: float = 5.0) -> Channels:
    """The channels of a running process: phones through the organization's GetMember with
    notify's account (org.read + org.phone)."""
    return Channels(phone_of=lambda tenant, member_id: organization.member_phone(tenant, member_id) or "",
                    timeout=timeout)
