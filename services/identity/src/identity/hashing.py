"""argon2id for passwords and security answers, run in a thread pool off the event loop.

argon2-cffi releases the GIL while hashing, so the pool's threads hash in
parallel on the machine's cores while the loop keeps serving other requests.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Hasher:
    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int, threads: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="argon2")
        # A hash to verify against when the user does not exist, so a sign-in
        # for an unknown email costs the same time as one for a known email.
        self.dummy_hash = self._hasher.hash("no such user: equal-time comparison")

    async def hash(self, secret: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._hasher.hash, secret)

    async def verify(self, hashed: str, secret: str) -> bool:
        def check() -> bool:
            try:
                return self._hasher.verify(hashed, secret)
            except (VerificationError, InvalidHashError):
                return False

        return await asyncio.get_running_loop().run_in_executor(self._pool, check)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
