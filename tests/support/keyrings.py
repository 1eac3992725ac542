"""In-memory keyring backends for tests (the secrets module is the subject, not these)."""

import time

import keyring.backend
import keyring.errors


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.store = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("none")
        del self.store[(service, username)]


class BrokenKeyring(MemoryKeyring):
    def __init__(self, exc=None, delay=0.0):
        super().__init__()
        self.exc, self.delay = exc, delay

    def get_password(self, service, username):
        time.sleep(self.delay)
        if self.exc:
            raise self.exc
        return None

    def set_password(self, service, username, password):
        self.get_password(service, username)
