"""The compound file (OLE) of an .xls, and its BIFF records that calamine would trust.

A small reader instead of a dependency: the header, FAT, directory and (for short streams) the
mini stream, with every chain bounded so a crafted file cannot loop. Only the workbook stream is
read; the other streams are listed by name (an encrypted .xlsx is a compound file too, with
EncryptionInfo and EncryptedPackage streams).
"""
import struct

from etl.intake.guards import limits
from etl.intake.guards.limits import Refused, too_large

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
WORKBOOK_STREAMS = ("workbook", "book")         # BIFF8 and BIFF5 names, any case
_CHAIN_END = 0xFFFFFFFA                          # this and above: end of chain, free, FAT, DIFAT
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_ENTRY = 128                                     # bytes per directory entry

# BIFF cell records: (row, col) are their first two 16-bit fields.
_BIFF_CELLS = {0x0006, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6, 0x00BD}
_BIFF_MULRK = 0x00BD
_BIFF_FILEPASS = 0x002F
_BIFF_DIMENSIONS = 0x0200


def _corrupt() -> Refused:
    return Refused("corrupt_file", "Tệp Excel 97–2003 bị hỏng hoặc không trọn vẹn.")


class _CompoundFile:
    """Sectors and chains of a compound file; any read outside the file is a corrupt file."""

    def __init__(self, data: bytes):
        self.data = data
        self.sector = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        self.mini = 1 << struct.unpack_from("<H", data, 0x20)[0]
        n_fat, self.first_dir = struct.unpack_from("<II", data, 0x2C)
        (self.cutoff, self.first_minifat, self.n_minifat,
         first_difat, n_difat) = struct.unpack_from("<IIIII", data, 0x38)
        if self.sector not in (512, 4096) or self.mini != 64:
            raise _corrupt()
        self.fat = self._fat(n_fat, first_difat, n_difat)

    def _sector(self, n: int) -> bytes:
        off = (n + 1) * self.sector
        if off >= len(self.data):
            raise _corrupt()
        return self.data[off:off + self.sector].ljust(self.sector, b"\0")

    def _ints(self, n: int) -> tuple[int, ...]:
        return struct.unpack(f"<{self.sector // 4}I", self._sector(n))

    def _fat(self, n_fat: int, first_difat: int, n_difat: int) -> list[int]:
        """The sector allocation table: 109 sectors listed in the header, more through DIFAT."""
        fat_sectors = list(struct.unpack_from("<109I", self.data, 0x4C))
        n_sectors = (len(self.data) - self.sector) // self.sector + 1
        nxt, seen = first_difat, 0
        while nxt < _CHAIN_END and seen <= n_difat and seen < n_sectors:
            block = self._ints(nxt)
            fat_sectors += block[:-1]
            nxt, seen = block[-1], seen + 1
        fat = []
        for s in fat_sectors[:n_fat]:
            fat += self._ints(s)
        return fat

    @staticmethod
    def chain(start: int, table: list) -> list[int]:
        """The sectors of a chain, refused when it leaves the table or loops."""
        out = []
        while start < _CHAIN_END:
            if start >= len(table) or len(out) > len(table):
                raise _corrupt()
            out.append(start)
            start = table[start]
        return out

    def read_chain(self, start: int) -> bytes:
        return b"".join(self._sector(s) for s in self.chain(start, self.fat))

    def entries(self) -> list[tuple[str, int, int, int]]:
        """(name, type, first sector, size) of every storage, stream and root entry."""
        directory = self.read_chain(self.first_dir)
        entries = []
        for off in range(0, len(directory) - _ENTRY + 1, _ENTRY):
            name_len, kind = struct.unpack_from("<HB", directory, off + 64)
            start, size = struct.unpack_from("<IQ", directory, off + 116)
            if kind in (_STORAGE, _STREAM, _ROOT) and 2 <= name_len <= 64:
                name = directory[off:off + name_len - 2].decode("utf-16-le", "replace")
                entries.append((name, kind, start, size))
        return entries

    def read_stream(self, start: int, size: int, root_start: int | None) -> bytes:
        """A stream's content: from the FAT, or (a short one) from the root's mini stream."""
        if size > len(self.data):
            raise _corrupt()
        if size >= self.cutoff or root_start is None:
            return self.read_chain(start)[:size]
        minifat = []
        for s in self.chain(self.first_minifat, self.fat)[:self.n_minifat or None]:
            minifat += self._ints(s)
        ministream = self.read_chain(root_start)
        mini = self.mini
        return b"".join(ministream[m * mini:(m + 1) * mini]
                        for m in self.chain(start, minifat))[:size]


def streams(data: bytes) -> dict[str, bytes | None]:
    """Stream names of a compound file, with the content of the workbook stream (others None)."""
    try:
        cf = _CompoundFile(data)
        entries = cf.entries()
        root = next((start for _, kind, start, _ in entries if kind == _ROOT), None)
        found: dict[str, bytes | None] = {}
        for name, kind, start, size in entries:
            if kind == _STREAM:
                found[name] = (cf.read_stream(start, size, root)
                               if name.lower() in WORKBOOK_STREAMS else None)
        return found
    except struct.error:
        raise _corrupt() from None


def check_biff(found: dict[str, bytes | None]) -> None:
    """Refuse an encrypted workbook stream, or one whose cells or declared size reach too far."""
    body = found.get("Workbook") or found.get("Book") or next(
        (v for k, v in found.items() if k.lower() in WORKBOOK_STREAMS and v), b"")
    max_row = max_col = 0
    pos, n = 0, len(body)
    while pos + 4 <= n:
        rtype, rlen = struct.unpack_from("<HH", body, pos)
        rec = body[pos + 4:pos + 4 + rlen]
        pos += 4 + rlen
        if rtype == _BIFF_FILEPASS:
            raise Refused("encrypted", "Tệp được đặt mật khẩu (mã hóa). Hãy gỡ mật khẩu trong Excel "
                                       "rồi gửi lại.")
        if rtype == _BIFF_DIMENSIONS:   # calamine sizes its buffers from it: a forged one aborts
            wide = len(rec) >= 14
            r0, r1, c0, c1 = struct.unpack_from("<IIHH" if wide else "<HHHH", rec.ljust(14, b"\0"))
            if r0 > r1 or c0 > c1:
                raise Refused("corrupt_file", "Tệp Excel 97–2003 bị hỏng (kích thước trang tính không "
                                              "hợp lệ).")
            max_row, max_col = max(max_row, r1), max(max_col, c1)
        if rtype in _BIFF_CELLS and len(rec) >= 4:
            row, col = struct.unpack_from("<HH", rec, 0)
            if rtype == _BIFF_MULRK and len(rec) >= 6:   # the last field is the last column
                col = struct.unpack_from("<H", rec, len(rec) - 2)[0]
            max_row, max_col = max(max_row, row + 1), max(max_col, col + 1)
    if max_row > limits.MAX_ROWS or max_col > limits.MAX_COLS:
        raise too_large("", max_row, max_col)
