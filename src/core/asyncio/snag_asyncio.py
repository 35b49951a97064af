# Snag's asyncio task reader. Reads a running CPython 3.8-3.13 process's memory through
# /proc/PID/mem (the rights py-spy needs; nothing is attached, nothing is stopped, nothing is
# written, no code runs in the target) and prints one JSON document: every pending asyncio task,
# its name and state, the chain of coroutines it awaits with file:line per frame, the awaitable
# at the end of the chain (a future, another task, a gather, a task group) and, for apps running
# in asyncio debug mode, where each task was created.
#
# The way in: the `_PyRuntime` symbol of the interpreter's ELF file (libpython or the python
# binary, found in /proc/PID/maps) -> the interpreter states -> sys.modules -> the `asyncio.tasks`
# module's dict -> `_all_tasks` (3.8-3.11) or `_scheduled_tasks` and `_eager_tasks` (3.12+), and
# `_current_tasks`. Struct offsets come from layouts generated from each interpreter's debug info
# (scripts/generate-asyncio-layouts.py), passed in SNAG_ARGS by Snag.
#
# Snag runs this with any Python 3 beside the target (python3 -I -S -B -c <loader>): keep to
# Python 3.6 syntax and the standard library. Every read is bounded: the target keeps running, so
# a pointer may go stale between two reads; a task that cannot be read is counted, not fatal.
import json
import os
import re
import signal
import struct
import sys
import time

ARGS = globals().get('SNAG_ARGS')
if ARGS is None:
    # By hand: python3 snag_asyncio.py PID [LAYOUTS_DIR] (Snag passes everything in SNAG_ARGS).
    ARGS = {'pid': int(sys.argv[1])}
    _dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), 'layouts')
    ARGS['layouts'] = {}
    for _name in os.listdir(_dir):
        _m = re.match(r'cpython-(3\.\d+)\.json$', _name)
        if _m:
            with open(os.path.join(_dir, _name)) as _f:
                ARGS['layouts'][_m.group(1)] = json.load(_f)

PID = int(ARGS['pid'])
LAYOUTS = ARGS.get('layouts') or {}
VERSION_HINT = ARGS.get('versionHint')
MAX_TASKS = int(ARGS.get('maxTasks', 100000))
MAX_DEPTH = int(ARGS.get('maxDepth', 64))
MAX_CREATED = int(ARGS.get('maxCreatedFrames', 16))
DEADLINE = time.time() + float(ARGS.get('timeoutS', 20))
BEGIN = '@@SNAG-ASYNCIO-BEGIN@@'
END = '@@SNAG-ASYNCIO-END@@'

MAX_STR = 1024
PAGE = 4096
BLOCK = 4  # pages read at once
# User-space addresses end below 2**56 (x86-64 5-level paging, arm64); a pointer past it is stale.
LIMIT = 1 << 56
U8 = struct.Struct('<Q')
I8 = struct.Struct('<q')
U4 = struct.Struct('<I')
I4 = struct.Struct('<i')
U2 = struct.Struct('<H')
F8 = struct.Struct('<d')
PAIR = struct.Struct('<QQ')


class Unreadable(Exception):
    """Memory that cannot be read, or does not hold what it should (a stale pointer)."""


class Exited(Exception):
    """The process ended while it was read (its memory reads short or is gone)."""


def process_gone(pid):
    """Whether the process has exited: no /proc entry, or only a zombie's (no memory left to read)."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            stat = f.read()
    except OSError:
        return True
    state = stat[stat.rfind(')') + 2:][:1]
    return state in ('Z', 'X', 'x')


# What a read torn by the running process raises (a pointer gone stale between two reads).
TORN = (Unreadable, struct.error, IndexError, ValueError, KeyError, OverflowError)


def fresh(mem, read, *args):
    """read(*args), read again from fresh pages when the running process changed the object under it
    (a dict resized, a set rehashed between two reads): up to 4 times, then the last error. A process
    that exited meanwhile raises Exited."""
    for attempt in range(4):
        try:
            return read(*args)
        except TORN:
            if process_gone(PID):
                raise Exited()
            if attempt == 3 or time.time() > DEADLINE - 1:
                raise
            mem.pages.clear()
            time.sleep(0.002 * (attempt + 1))


class PureTask(Exception):
    """A task of asyncio's pure-Python implementation (no C task layout to read)."""


class Report(Exception):
    """Stop with this error code and message (no interpreter, no rights...)."""

    def __init__(self, code, message):
        Exception.__init__(self, message)
        self.code = code


# ---- memory ----

class Memory(object):
    def __init__(self, pid):
        try:
            self.fd = os.open('/proc/%d/mem' % pid, os.O_RDONLY)
        except OSError as e:
            raise Report('permission' if e.errno in (1, 13) else 'gone' if e.errno == 2 else 'unreadable',
                         'cannot open /proc/%d/mem: %s' % (pid, e.strerror))
        self.pages = {}
        self.reads = 0
        self.u64 = self.fast_u64()
        self.read = self.fast_read()

    # The two reads every object walk makes, as closures over the page cache (no attribute lookups).
    def fast_u64(self):
        pages, page, unpack, slow = self.pages, self.page, U8.unpack_from, self.read_slow

        def u64(addr):
            off = addr & 4095
            if off <= 4088 and 0 < addr < LIMIT:
                p = pages.get(addr >> 12)
                if p is None:
                    p = page(addr >> 12)
                return unpack(p, off)[0]
            return U8.unpack(slow(addr, 8))[0]
        return u64

    def fast_read(self):
        pages, page, slow = self.pages, self.page, self.read_slow

        def read(addr, size):
            off = addr & 4095
            if off + size <= 4096 and 0 < addr < LIMIT and size > 0:
                p = pages.get(addr >> 12)
                if p is None:
                    p = page(addr >> 12)
                return p[off:off + size]
            return slow(addr, size)
        return read

    def page(self, n):
        p = self.pages.get(n)
        if p is None:
            # Objects allocated together sit together: the block of pages around a page is read
            # with it, in one read (a block reaching into unmapped memory reads one page only).
            first = n & ~(BLOCK - 1)
            try:
                block = os.pread(self.fd, PAGE * BLOCK, first * PAGE)
                self.reads += 1
            except OSError:
                block = b''
            if len(block) == PAGE * BLOCK:
                pages = self.pages
                for i in range(BLOCK):
                    if first + i not in pages:
                        pages[first + i] = block[i * PAGE:(i + 1) * PAGE]
                return pages[n]
            try:
                p = os.pread(self.fd, PAGE, n * PAGE)
                self.reads += 1
            except OSError as e:
                if e.errno in (1, 13):
                    raise Report('permission', 'reading the memory of process %d was refused: %s' % (PID, e.strerror))
                raise Unreadable('unmapped address 0x%x' % (n * PAGE))
            if len(p) != PAGE:
                raise Unreadable('short read at 0x%x' % (n * PAGE))
            self.pages[n] = p
        return p

    def read_slow(self, addr, size):
        if addr <= 0 or size < 0 or addr + size >= LIMIT:
            raise Unreadable('bad address 0x%x' % addr)
        if size == 0:
            return b''
        if size > 1 << 16:
            try:
                data = os.pread(self.fd, size, addr)
                self.reads += 1
            except OSError:
                raise Unreadable('unmapped address 0x%x' % addr)
            if len(data) != size:
                raise Unreadable('short read at 0x%x' % addr)
            return data
        first = addr >> 12
        off = addr & (PAGE - 1)
        if off + size <= PAGE:
            p = self.pages.get(first)
            if p is None:
                p = self.page(first)
            return p[off:off + size]
        last = (addr + size - 1) >> 12
        return b''.join(self.page(n) for n in range(first, last + 1))[off:off + size]

    def i64(self, addr):
        return I8.unpack(self.read(addr, 8))[0]

    def i32(self, addr):
        return I4.unpack(self.read(addr, 4))[0]

    def u32(self, addr):
        return U4.unpack(self.read(addr, 4))[0]

    def u16(self, addr):
        return U2.unpack(self.read(addr, 2))[0]

    def i8(self, addr):
        b = self.read(addr, 1)[0]
        return b - 256 if b > 127 else b

    def u8(self, addr):
        return self.read(addr, 1)[0]

    def cstring(self, addr, limit=256):
        out = b''
        while len(out) < limit:
            chunk = self.read(addr + len(out), min(64, PAGE - ((addr + len(out)) & (PAGE - 1))))
            nul = chunk.find(b'\0')
            if nul >= 0:
                return (out + chunk[:nul]).decode('utf-8', 'replace')
            out += chunk
        return out[:limit].decode('utf-8', 'replace')

    def value(self, addr, kind):
        if kind == 'p' or kind == 'u8':
            return self.u64(addr)
        if kind == 'i8':
            return self.i64(addr)
        if kind == 'i4':
            return self.i32(addr)
        if kind == 'u4':
            return self.u32(addr)
        if kind == 'i1':
            return self.i8(addr)
        if kind == 'u1':
            return self.u8(addr)
        if kind == 'u2':
            return self.u16(addr)
        raise Unreadable('field kind %s' % kind)


# ---- finding the interpreter ----

def read_maps(pid):
    try:
        with open('/proc/%d/maps' % pid) as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise Report('permission' if e.errno in (1, 13) else 'gone', 'cannot read /proc/%d/maps: %s' % (pid, e.strerror))
    maps = []
    for line in lines:
        parts = line.split(None, 5)
        if len(parts) < 6 or not parts[5].startswith('/'):
            continue
        start, end = [int(x, 16) for x in parts[0].split('-')]
        maps.append((start, end, int(parts[2], 16), parts[5]))
    return maps


def elf_symbols(path, wanted):
    """{name: st_value} for the wanted symbols of a 64-bit little-endian ELF file, and its first PT_LOAD's vaddr."""
    found = {}
    with open(path, 'rb') as f:
        head = f.read(64)
        if head[:4] != b'\x7fELF' or head[4] != 2 or head[5] != 1:
            raise Report('unsupported', '%s is not a 64-bit little-endian ELF file' % path)
        e_phoff, e_shoff = struct.unpack_from('<QQ', head, 0x20)
        e_phentsize, e_phnum, e_shentsize, e_shnum = struct.unpack_from('<HHHH', head, 0x36)
        f.seek(e_phoff)
        ph = f.read(e_phentsize * e_phnum)
        first_load = None
        for i in range(e_phnum):
            p_type, _flags, p_offset, p_vaddr = struct.unpack_from('<IIQQ', ph, i * e_phentsize)
            if p_type == 1 and first_load is None:
                first_load = p_vaddr - p_offset
        f.seek(e_shoff)
        sh = f.read(e_shentsize * e_shnum)
        sections = [struct.unpack_from('<IIQQQQIIQQ', sh, i * e_shentsize) for i in range(e_shnum)]
        # .dynsym (type 11) is small and enough for an exported _PyRuntime; .symtab (2) otherwise.
        for want_type in (11, 2):
            for s in sections:
                if s[1] != want_type or s[9] == 0:
                    continue
                strtab = sections[s[6]]
                f.seek(strtab[4])
                names = f.read(strtab[5])
                offsets = {}
                for name in wanted:
                    if name in found:
                        continue
                    at = names.find(b'\0' + name.encode() + b'\0')
                    if at >= 0:
                        offsets[at + 1] = name
                if not offsets:
                    continue
                f.seek(s[4])
                table = f.read(s[5])
                for st_name, _info, _other, shndx, st_value, _size in struct.iter_unpack('<IBBHQQ', table[:len(table) - len(table) % 24]):
                    name = offsets.get(st_name)
                    if name is not None and shndx != 0 and st_value:
                        found[name] = st_value
            if all(n in found for n in wanted[:1]):
                break
    return found, first_load or 0


def find_interpreter(pid):
    maps = read_maps(pid)
    try:
        exe = os.readlink('/proc/%d/exe' % pid)
    except OSError:
        exe = None
    paths = []
    for _s, _e, _o, path in maps:
        if path not in paths and re.search(r'/libpython3\.\d+[^/]*\.so', path):
            paths.append(path)
    for _s, _e, _o, path in maps:
        if path not in paths and (path == exe or re.search(r'/python3?[\d.]*$', path)):
            paths.append(path)
    tried = []
    for path in paths:
        clean = path[:-10] if path.endswith(' (deleted)') else path
        # The file as the process sees it (its own mount namespace: a container's files from the host).
        for candidate in ('/proc/%d/root%s' % (pid, clean), clean):
            try:
                symbols, first_load = elf_symbols(candidate, ['_PyRuntime', 'Py_Version'])
            except (OSError, struct.error) as e:
                tried.append('%s: %s' % (candidate, e))
                continue
            if '_PyRuntime' not in symbols:
                tried.append('%s: no _PyRuntime symbol' % clean)
                break
            base = None
            for start, _end, offset, mpath in maps:
                if mpath == path and offset == 0:
                    base = start
                    break
            if base is None:
                tried.append('%s: not mapped from its start' % clean)
                break
            bias = base - (first_load & ~(PAGE - 1))
            return {
                'path': clean,
                'runtime': bias + symbols['_PyRuntime'],
                'pyVersion': bias + symbols['Py_Version'] if 'Py_Version' in symbols else None,
            }
    if process_gone(pid) or not maps:
        # A process on its way out has no mappings left before it is a zombie.
        raise Report('gone', 'process %d has exited' % pid)
    raise Report('not-python', 'no CPython interpreter found in process %d (%s)' % (pid, '; '.join(tried) or 'no libpython or python executable mapped'))


def detect_version(mem, interp):
    if interp['pyVersion']:
        try:
            hexversion = mem.u32(interp['pyVersion'])
            major, minor = hexversion >> 24, (hexversion >> 16) & 0xFF
            if major == 3:
                return '3.%d' % minor, '%d.%d.%d' % (major, minor, (hexversion >> 8) & 0xFF)
        except Unreadable:
            pass
    m = re.search(r'(?:libpython|python)(3\.\d+)', os.path.basename(interp['path']))
    if m:
        return m.group(1), None
    if VERSION_HINT:
        m = re.match(r'(3\.\d+)', VERSION_HINT)
        if m:
            return m.group(1), None
    return None, None


# ---- layouts ----

class Layout(object):
    def __init__(self, doc):
        self.doc = doc
        self.minor = int(doc['version'].split('.')[1])
        self.structs = doc['structs']
        self.kinds = doc['kinds']
        self.bitfields = doc['bitfields']
        self.enums = doc['enums']
        self.opcodes = doc['opcodes']

    def has(self, struct_name, field):
        return self.structs.get(struct_name, {}).get(field) is not None

    def off(self, struct_name, field):
        v = self.structs.get(struct_name, {}).get(field)
        if v is None:
            raise Report('unsupported', 'no layout for %s.%s in Python %s' % (struct_name, field, self.doc['version']))
        return v

    def size(self, struct_name):
        return self.structs[struct_name]['__size__']

    def kind(self, struct_name, field):
        return self.kinds.get('%s.%s' % (struct_name, field), 'p')

    def bit(self, struct_name, field):
        return self.bitfields['%s.%s' % (struct_name, field)]


# ---- the reader ----

class Reader(object):
    def __init__(self, mem, layout):
        self.mem = mem
        self.L = L = layout
        self.minor = L.minor
        self.types = {}
        self.strings = {}
        self.codes = {}
        self.frames = []
        self.frame_index = {}
        self.errors = []
        self.unreadable = 0
        self.dummy = None
        self.kinds = {}
        self.frame_ids = {}  # (code object, line) -> frame id
        self.inner_waits = {}  # frame id -> the asyncio wait whose locals say more ('sleep', 'taskgroup', '')
        self.summaries = {}  # traceback entry type -> how it holds its fields
        self.summary_ids = {}  # (file, name objects, line) -> frame id
        self.int_type = None
        self.asyncio_frames = {}  # frame id -> whether it runs in asyncio's own files
        self.current_dicts = []  # asyncio.tasks._current_tasks of each interpreter
        o = L.off
        self.OB_TYPE = o('PyObject', 'ob_type')
        self.OB_REFCNT = o('PyObject', 'ob_refcnt')
        self.OB_SIZE = o('PyVarObject', 'ob_size')
        self.TP_NAME = o('PyTypeObject', 'tp_name')
        self.TP_BASE = o('PyTypeObject', 'tp_base')
        self.TP_FLAGS = o('PyTypeObject', 'tp_flags')
        self.TP_BASICSIZE = o('PyTypeObject', 'tp_basicsize')
        self.TP_DICTOFFSET = o('PyTypeObject', 'tp_dictoffset')
        self.TP_MEMBERS = o('PyTypeObject', 'tp_members')
        self.HT_CACHED_KEYS = o('PyHeapTypeObject', 'ht_cached_keys')
        self.MEMBER_SIZE = L.size('PyMemberDef')
        self.MEMBER_NAME = o('PyMemberDef', 'name')
        self.MEMBER_OFFSET = o('PyMemberDef', 'offset')
        self.MD_DICT = o('PyModuleObject', 'md_dict')
        self.MA_KEYS = o('PyDictObject', 'ma_keys')
        self.MA_VALUES = o('PyDictObject', 'ma_values')
        self.DK_NENTRIES = o('PyDictKeysObject', 'dk_nentries')
        self.DK_INDICES = o('PyDictKeysObject', 'dk_indices')
        if self.minor >= 11:
            self.DK_LOG2_SIZE = o('PyDictKeysObject', 'dk_log2_size')
            self.DK_LOG2_INDEX_BYTES = o('PyDictKeysObject', 'dk_log2_index_bytes')
            self.DK_KIND = o('PyDictKeysObject', 'dk_kind')
            self.VALUES_AT = o('PyDictValues', 'values')
            self.UENTRY = L.size('PyDictUnicodeEntry')
        else:
            self.DK_SIZE = o('PyDictKeysObject', 'dk_size')
        self.ENTRY = L.size('PyDictKeyEntry')
        self.SET_MASK = o('PySetObject', 'mask')
        self.SET_TABLE = o('PySetObject', 'table')
        self.SETENTRY = L.size('setentry')
        self.WR_OBJECT = o('PyWeakReference', 'wr_object')
        self.LIST_ITEMS = o('PyListObject', 'ob_item')
        self.TUPLE_ITEMS = o('PyTupleObject', 'ob_item')
        self.STR_LENGTH = o('PyASCIIObject', 'length')
        self.STR_STATE = o('PyASCIIObject', 'state')
        self.STR_KIND_BIT = L.bit('PyASCIIObject', 'state.kind')[0] - self.STR_STATE * 8
        self.STR_COMPACT_BIT = L.bit('PyASCIIObject', 'state.compact')[0] - self.STR_STATE * 8
        self.STR_ASCII_BIT = L.bit('PyASCIIObject', 'state.ascii')[0] - self.STR_STATE * 8
        self.ASCII_SIZE = L.size('PyASCIIObject')
        self.COMPACT_SIZE = L.size('PyCompactUnicodeObject')
        self.STR_DATA = o('PyUnicodeObject', 'data')
        self.BYTES_DATA = o('PyBytesObject', 'ob_sval')
        if self.minor >= 12:
            self.LONG_TAG = o('PyLongObject', 'long_value.lv_tag')
            self.LONG_DIGITS = o('PyLongObject', 'long_value.ob_digit')
        else:
            self.LONG_DIGITS = o('PyLongObject', 'ob_digit')
        self.FLOAT_VAL = o('PyFloatObject', 'ob_fval')
        self.IM_SELF = o('PyMethodObject', 'im_self')
        self.CO_FILENAME = o('PyCodeObject', 'co_filename')
        self.CO_NAME = o('PyCodeObject', 'co_qualname') if L.has('PyCodeObject', 'co_qualname') else o('PyCodeObject', 'co_name')
        self.CO_FIRSTLINENO = o('PyCodeObject', 'co_firstlineno')
        self.CO_LINES = o('PyCodeObject', 'co_linetable') if self.minor >= 10 else o('PyCodeObject', 'co_lnotab')
        if self.minor >= 11:
            self.CO_CODE_ADAPTIVE = o('PyCodeObject', 'co_code_adaptive')
        else:
            self.CO_CODE = o('PyCodeObject', 'co_code')
        # Generators, coroutines and async generators share their head.
        if self.minor >= 11:
            self.GI_FRAME_STATE = o('PyGenObject', 'gi_frame_state')
            self.GI_IFRAME = o('PyGenObject', 'gi_iframe')
            self.CR_ORIGIN = o('PyCoroObject', 'cr_origin_or_finalizer')
            self.IF_CODE = o('_PyInterpreterFrame', 'f_executable') if self.minor >= 13 else o('_PyInterpreterFrame', 'f_code')
            self.IF_INSTR = o('_PyInterpreterFrame', 'instr_ptr') if self.minor >= 13 else o('_PyInterpreterFrame', 'prev_instr')
            self.IF_STACKTOP = o('_PyInterpreterFrame', 'stacktop')
            self.IF_LOCALSPLUS = o('_PyInterpreterFrame', 'localsplus')
            self.GEN_HEAD = self.GI_IFRAME + self.IF_LOCALSPLUS
            states = L.enums.get('enum _framestate', {})
            self.FRAME_CREATED = states['FRAME_CREATED']
            self.FRAME_SUSPENDED = states['FRAME_SUSPENDED']
            self.FRAME_SUSPENDED_YIELD_FROM = states.get('FRAME_SUSPENDED_YIELD_FROM')
            self.FRAME_EXECUTING = states['FRAME_EXECUTING']
            self.FRAME_COMPLETED = states['FRAME_COMPLETED']
            ops = L.opcodes
            self.RESUMES = set(ops[k] for k in ('RESUME', 'RESUME_QUICK', 'RESUME_CHECK', 'INSTRUMENTED_RESUME') if k in ops)
        else:
            self.GI_FRAME = o('PyGenObject', 'gi_frame')
            self.CR_ORIGIN = o('PyCoroObject', 'cr_origin')
            self.F_CODE = o('PyFrameObject', 'f_code')
            self.F_LASTI = o('PyFrameObject', 'f_lasti')
            self.F_VALUESTACK = o('PyFrameObject', 'f_valuestack')
            self.F_LOCALSPLUS = o('PyFrameObject', 'f_localsplus')
            self.YIELD_FROM = L.opcodes['YIELD_FROM']
            if self.minor >= 10:
                self.F_STACKDEPTH = o('PyFrameObject', 'f_stackdepth')
                self.F_STATE = o('PyFrameObject', 'f_state')
                self.FRAME_SUSPENDED = L.enums['enum _framestate']['FRAME_SUSPENDED']
                self.FRAME_CREATED = L.enums['enum _framestate']['FRAME_CREATED']
                self.FRAME_EXECUTING = L.enums['enum _framestate']['FRAME_EXECUTING']
            else:
                self.F_STACKTOP = o('PyFrameObject', 'f_stacktop')
                self.F_EXECUTING = o('PyFrameObject', 'f_executing')
        self.ASEND_GEN = o('PyAsyncGenASend', 'ags_gen')
        self.ATHROW_GEN = o('PyAsyncGenAThrow', 'agt_gen')
        self.CW_CORO = o('PyCoroWrapper', 'cw_coroutine')
        self.T_STATE = o('TaskObj', 'task_state')
        self.T_WAITER = o('TaskObj', 'task_fut_waiter')
        self.T_CORO = o('TaskObj', 'task_coro')
        self.T_NAME = o('TaskObj', 'task_name')
        self.T_LOOP = o('TaskObj', 'task_loop')
        self.T_SOURCE_TB = o('TaskObj', 'task_source_tb')
        self.TASK_SIZE = L.size('TaskObj')
        self.F_STATE_FUT = o('FutureObj', 'fut_state')
        self.F_SOURCE_TB = o('FutureObj', 'fut_source_tb')
        self.F_CALLBACK0 = o('FutureObj', 'fut_callback0')
        self.CELL_REF = o('PyCellObject', 'ob_ref')
        self.FUTITER_FUTURE = o('futureiterobject', 'future')
        self.STATES = dict((v, k[len('STATE_'):].lower()) for k, v in L.enums.get('fut_state', {'STATE_PENDING': 0, 'STATE_CANCELLED': 1, 'STATE_FINISHED': 2}).items())

    # -- objects --

    def ptr(self, addr):
        return self.mem.u64(addr)

    def type_of(self, obj):
        return self.type_info(self.mem.u64(obj + self.OB_TYPE))

    def type_info(self, taddr):
        t = self.types.get(taddr)
        if t is None:
            mem = self.mem
            name = mem.cstring(mem.u64(taddr + self.TP_NAME), 200)
            flags = mem.u64(taddr + self.TP_FLAGS)
            t = {
                'addr': taddr,
                'name': name,
                'flags': flags,
                'base': mem.u64(taddr + self.TP_BASE),
                'basicsize': mem.i64(taddr + self.TP_BASICSIZE),
                'dictoffset': mem.i64(taddr + self.TP_DICTOFFSET),
                'members': mem.u64(taddr + self.TP_MEMBERS),
                'heap': bool(flags & (1 << 9)),
                'names': None,
            }
            names = [name]
            base = t['base']
            for _ in range(16):
                if not base:
                    break
                names.append(mem.cstring(mem.u64(base + self.TP_NAME), 200))
                base = mem.u64(base + self.TP_BASE)
            t['names'] = names
            self.types[taddr] = t
        return t

    def is_a(self, obj, name):
        return name in self.type_of(obj)['names']

    def refcount(self, obj):
        return self.mem.i64(obj + self.OB_REFCNT)

    def string(self, obj):
        s = self.strings.get(obj)
        if s is not None:
            return s
        mem = self.mem
        t = self.type_of(obj)
        if 'str' not in t['names']:
            raise Unreadable('not a str: %s' % t['name'])
        if t['name'] == 'str':
            # A short ASCII str (a task's name, most names): its head and text in one read.
            head = mem.read(obj, self.ASCII_SIZE + 48)
            state = U4.unpack_from(head, self.STR_STATE)[0]
            length = I8.unpack_from(head, self.STR_LENGTH)[0]
            if (state >> self.STR_COMPACT_BIT) & 1 and (state >> self.STR_ASCII_BIT) & 1 and 0 <= length <= 48:
                s = head[self.ASCII_SIZE:self.ASCII_SIZE + length].decode('latin-1')
                self.strings[obj] = s
                return s
        state = mem.u32(obj + self.STR_STATE)
        kind = (state >> self.STR_KIND_BIT) & 7
        compact = (state >> self.STR_COMPACT_BIT) & 1
        ascii = (state >> self.STR_ASCII_BIT) & 1
        length = mem.i64(obj + self.STR_LENGTH)
        if kind not in (1, 2, 4) or length < 0:
            raise Unreadable('bad str')
        n = min(length, MAX_STR)
        if compact:
            data = obj + (self.ASCII_SIZE if ascii else self.COMPACT_SIZE)
        else:
            data = mem.u64(obj + self.STR_DATA)
        raw = mem.read(data, n * kind)
        if kind == 1:
            s = raw.decode('latin-1')
        elif kind == 2:
            s = raw.decode('utf-16-le', 'replace')
        else:
            s = raw.decode('utf-32-le', 'replace')
        if length > n:
            s += '\u2026'
        self.strings[obj] = s
        return s

    def pybytes(self, obj, limit=1 << 20):
        n = self.mem.i64(obj + self.OB_SIZE)
        if n < 0 or n > limit:
            raise Unreadable('bad bytes')
        return self.mem.read(obj + self.BYTES_DATA, n)

    def pyint(self, obj):
        mem = self.mem
        if self.minor >= 12:
            tag = mem.u64(obj + self.LONG_TAG)
            ndigits, sign = tag >> 3, 1 - (tag & 3)
        else:
            size = mem.i64(obj + self.OB_SIZE)
            ndigits, sign = abs(size), (1 if size > 0 else -1 if size < 0 else 0)
        if ndigits > 4:
            raise Unreadable('int too large')
        digits = struct.unpack('<%dI' % ndigits, mem.read(obj + self.LONG_DIGITS, 4 * ndigits)) if ndigits else ()
        value = 0
        for i, d in enumerate(digits):
            value |= d << (30 * i)
        return sign * value

    def number(self, obj):
        t = self.type_of(obj)
        if 'float' in t['names']:
            return F8.unpack(self.mem.read(obj + self.FLOAT_VAL, 8))[0]
        if 'int' in t['names'] and 'bool' not in t['names']:
            return self.pyint(obj)
        return None

    def seq_items(self, obj, limit=100000):
        """Items of a list or tuple (addresses)."""
        t = self.type_of(obj)
        n = self.mem.i64(obj + self.OB_SIZE)
        if n < 0 or n > limit:
            raise Unreadable('bad sequence size')
        if 'tuple' in t['names']:
            base = obj + self.TUPLE_ITEMS
        elif 'list' in t['names']:
            base = self.mem.u64(obj + self.LIST_ITEMS)
        else:
            raise Unreadable('not a list or tuple: %s' % t['name'])
        if n == 0:
            return []
        return [x[0] for x in struct.iter_unpack('<Q', self.mem.read(base, 8 * n))]

    # -- dicts and sets --

    def keys_entries(self, keys, values):
        """(key, value) pairs of a dict's keys object; `values`: a split table's values array, or 0."""
        mem = self.mem
        n = mem.i64(keys + self.DK_NENTRIES)
        if n < 0 or n > 1 << 22:
            raise Unreadable('bad dict')
        if self.minor >= 11:
            index_bytes = 1 << mem.u8(keys + self.DK_LOG2_INDEX_BYTES)
            unicode_keys = mem.u8(keys + self.DK_KIND) != 0
            entries = keys + self.DK_INDICES + index_bytes
            size = self.UENTRY if unicode_keys else self.ENTRY
            key_at = 0 if unicode_keys else 8
        else:
            dk_size = mem.i64(keys + self.DK_SIZE)
            if dk_size <= 0 or dk_size > 1 << 23:
                raise Unreadable('bad dict size')
            index_bytes = 1 if dk_size <= 0xFF else 2 if dk_size <= 0xFFFF else 4
            entries = keys + self.DK_INDICES + dk_size * index_bytes
            size = self.ENTRY
            key_at = 8
        if n == 0:
            return []
        raw = mem.read(entries, n * size)
        vals = None
        if values:
            vals = [x[0] for x in struct.iter_unpack('<Q', mem.read(values, 8 * n))]
        out = []
        for i in range(n):
            key = U8.unpack_from(raw, i * size + key_at)[0]
            value = vals[i] if vals is not None else U8.unpack_from(raw, i * size + key_at + 8)[0]
            if key and value:
                out.append((key, value))
        return out

    def dict_items(self, d):
        if 'dict' not in self.type_of(d)['names']:
            raise Unreadable('not a dict')
        values = self.mem.u64(d + self.MA_VALUES)
        if values and self.minor >= 11:
            values += self.VALUES_AT
        return self.keys_entries(self.mem.u64(d + self.MA_KEYS), values)

    def dict_get(self, d, name):
        for k, v in self.dict_items(d):
            try:
                if self.string(k) == name:
                    return v
            except Unreadable:
                pass
        return None

    def attr(self, obj, name):
        """An instance attribute from the object's __dict__ (or its managed dict or inline values), or None."""
        mem = self.mem
        t = self.type_of(obj)
        flags = t['flags']
        if self.minor >= 11 and flags & (1 << 4):  # Py_TPFLAGS_MANAGED_DICT
            values = 0
            d = 0
            if self.minor == 11:
                values = mem.u64(obj - 32)
                d = mem.u64(obj - 24)
                if values:
                    values += self.VALUES_AT
            elif self.minor == 12:
                dorv = mem.u64(obj - 24)
                if dorv & 1:
                    values = dorv + 1 + self.VALUES_AT
                else:
                    d = dorv
            else:
                d = mem.u64(obj - 24)
                if not d and flags & (1 << 2):  # Py_TPFLAGS_INLINE_VALUES
                    inline = obj + t['basicsize']
                    if mem.u8(inline + 3):  # valid
                        values = inline + self.VALUES_AT
            if values:
                keys = mem.u64(t['addr'] + self.HT_CACHED_KEYS)
                for k, v in self.keys_entries(keys, values):
                    if self.string(k) == name:
                        return v
                return None
            return self.dict_get(d, name) if d else None
        if t['dictoffset'] > 0:
            d = mem.u64(obj + t['dictoffset'])
            return self.dict_get(d, name) if d else None
        return None

    def slot(self, obj, name):
        """A __slots__ member (FrameSummary.filename) through the type's member table."""
        t = self.type_of(obj)
        members = t.get('slots')
        if members is None:
            members = {}
            at = t['members']
            for _ in range(64):
                if not at:
                    break
                name_ptr = self.mem.u64(at + self.MEMBER_NAME)
                if not name_ptr:
                    break
                members[self.mem.cstring(name_ptr, 64)] = self.mem.i64(at + self.MEMBER_OFFSET)
                at += self.MEMBER_SIZE
            t['slots'] = members
        off = members.get(name)
        return self.mem.u64(obj + off) if off is not None else None

    def set_items(self, s, limit):
        mem = self.mem
        mask = mem.i64(s + self.SET_MASK)
        if mask < 0 or mask > 1 << 24:
            raise Unreadable('bad set')
        table = mem.u64(s + self.SET_TABLE)
        raw = mem.read(table, (mask + 1) * self.SETENTRY)
        out = []
        for key, _hash in struct.iter_unpack('<Qq', raw):
            if key and key != self.dummy:
                if self.dummy is None and self.type_of(key)['name'] == '<dummy key> type':
                    # A removed entry's marker (one object for every set).
                    self.dummy = key
                    continue
                out.append(key)
                if len(out) > limit:
                    break
        return out

    # -- code and frames --

    def code_info(self, code):
        c = self.codes.get(code)
        if c is None:
            mem = self.mem
            if 'code' not in self.type_of(code)['names']:
                raise Unreadable('not a code object')
            c = {
                'file': self.string(mem.u64(code + self.CO_FILENAME)),
                'name': self.string(mem.u64(code + self.CO_NAME)),
                'first': mem.i32(code + self.CO_FIRSTLINENO),
                'table': None,
                'code': code,
                'lines': {},
            }
            self.codes[code] = c
        return c

    def line_of(self, c, lasti):
        """The line of instruction `lasti` (3.8/3.9: a byte offset; 3.10+: in code units)."""
        if lasti < 0:
            return c['first']
        if c['table'] is None:
            c['table'] = self.pybytes(self.mem.u64(c['code'] + self.CO_LINES))
        table = c['table']
        line = c['first']
        if self.minor <= 9:
            addr = 0
            for i in range(0, len(table) - 1, 2):
                addr += table[i]
                if addr > lasti:
                    break
                d = table[i + 1]
                line += d - 256 if d > 127 else d
            return line
        target = lasti * 2
        if self.minor == 10:
            end = 0
            for i in range(0, len(table) - 1, 2):
                start = end
                end += table[i]
                d = table[i + 1]
                if d == 128:
                    current = None
                else:
                    line += d - 256 if d > 127 else d
                    current = line
                if start <= target < end:
                    return current if current is not None else 0
            return 0
        # 3.11+: the location table (PEP 657), in code units.
        target = lasti
        i = 0
        pos = 0
        n = len(table)
        while i < n:
            b = table[i]
            i += 1
            code = (b >> 3) & 15
            length = (b & 7) + 1
            delta = 0
            if code == 15:
                has_line = False
            else:
                has_line = True
                if code == 14 or code == 13:
                    uval, i = varint(table, i)
                    delta = -(uval >> 1) if uval & 1 else uval >> 1
                    if code == 14:
                        for _ in range(3):
                            _v, i = varint(table, i)
                elif code >= 10:
                    delta = code - 10
                    i += 2
                else:
                    i += 1
            line += delta
            if pos <= target < pos + length:
                return line if has_line else 0
            pos += length
        return 0

    def line_at(self, c, lasti):
        key = lasti
        lines = c['lines']
        line = lines.get(key)
        if line is None:
            line = lines[key] = self.line_of(c, lasti)
        return line

    def gen_frame(self, gen):
        """What a generator/coroutine is doing: its frame and the object it awaits (`yf`), or None when finished."""
        mem = self.mem
        if self.minor >= 11:
            # One read for the generator's head and its embedded frame's fixed part.
            head = mem.read(gen, self.GEN_HEAD)
            state = head[self.GI_FRAME_STATE]
            if state > 127:
                state -= 256
            if state >= self.FRAME_COMPLETED:
                return None
            iframe = gen + self.GI_IFRAME
            code = U8.unpack_from(head, self.GI_IFRAME + self.IF_CODE)[0]
            c = self.codes.get(code) or self.code_info(code)
            instr = U8.unpack_from(head, self.GI_IFRAME + self.IF_INSTR)[0]
            lasti = (instr - code - self.CO_CODE_ADAPTIVE) // 2
            stacktop = I4.unpack_from(head, self.GI_IFRAME + self.IF_STACKTOP)[0]
            localsplus = iframe + self.IF_LOCALSPLUS
            yf = 0
            if state == self.FRAME_CREATED:
                line = c['first']
                status = 'created'
            else:
                line = c['lines'].get(lasti)
                if line is None:
                    line = self.line_at(c, lasti) if 0 <= lasti < 1 << 24 else 0
                status = 'running' if state == self.FRAME_EXECUTING else 'suspended'
                if 0 < stacktop < 1 << 16 and state == self.FRAME_EXECUTING:
                    # Running (the loop's current task): the top of its stack is what it sends into
                    # when that is a running coroutine too (the caller follows only those).
                    yf = mem.u64(localsplus + 8 * (stacktop - 1))
                elif 0 < stacktop < 1 << 16:
                    if self.FRAME_SUSPENDED_YIELD_FROM is not None:
                        awaiting = state == self.FRAME_SUSPENDED_YIELD_FROM
                    else:
                        # Whether the instruction after it resumes from an await: fixed per code
                        # object and instruction (quickening keeps a RESUME a RESUME), so cached.
                        resumes = c.get('resumes')
                        if resumes is None:
                            resumes = c['resumes'] = {}
                        awaiting = resumes.get(lasti)
                        if awaiting is None:
                            word = mem.u16(instr + 2)
                            awaiting = resumes[lasti] = (word & 0xFF) in self.RESUMES and (word >> 8) >= 2
                    if awaiting:
                        yf = mem.u64(localsplus + 8 * (stacktop - 1))
            slots = (localsplus, max(0, min(stacktop, 4096)))
            return c, line, yf, status, slots
        frame = mem.u64(gen + self.GI_FRAME)
        if not frame:
            return None
        head = mem.read(frame, self.F_LOCALSPLUS)
        code = U8.unpack_from(head, self.F_CODE)[0]
        c = self.codes.get(code) or self.code_info(code)
        lasti = I4.unpack_from(head, self.F_LASTI)[0]
        localsplus = frame + self.F_LOCALSPLUS
        valuestack = U8.unpack_from(head, self.F_VALUESTACK)[0]
        yf = 0
        if self.minor >= 10:
            state = head[self.F_STATE]
            if state > 127:
                state -= 256
            depth = I4.unpack_from(head, self.F_STACKDEPTH)[0]
            status = 'created' if state == self.FRAME_CREATED else 'running' if state == self.FRAME_EXECUTING else 'suspended'
            top = valuestack + 8 * depth if 0 <= depth < 1 << 16 else valuestack
            if state == self.FRAME_SUSPENDED and lasti >= 0 and depth > 0:
                if self.opcode_at(c, (lasti + 1) * 2) == self.YIELD_FROM:
                    yf = mem.u64(top - 8)
        else:
            stacktop = U8.unpack_from(head, self.F_STACKTOP)[0]
            executing = head[self.F_EXECUTING]
            status = 'running' if executing else 'created' if lasti < 0 else 'suspended'
            top = stacktop if stacktop and valuestack <= stacktop < valuestack + (1 << 19) else valuestack
            if stacktop and lasti >= 0 and not executing:
                if self.opcode_at(c, lasti + 2) == self.YIELD_FROM:
                    yf = mem.u64(stacktop - 8)
        line = self.line_at(c, lasti) if status != 'created' else c['first']
        count = (top - localsplus) // 8 if top >= localsplus else 0
        return c, line, yf, status, (localsplus, max(0, min(count, 4096)))

    def opcode_at(self, c, offset):
        """The opcode at a byte offset of a 3.8-3.10 code object's co_code (immutable: cached)."""
        ops = c.get('ops')
        if ops is None:
            ops = c['ops'] = self.pybytes(self.mem.u64(c['code'] + self.CO_CODE))
        return ops[offset] if 0 <= offset < len(ops) else -1

    def frame_id(self, file, name, line):
        key = (file, name, line)
        i = self.frame_index.get(key)
        if i is None:
            i = len(self.frames)
            self.frame_index[key] = i
            self.frames.append([file, name, line])
        return i

    def slot_values(self, slots):
        start, count = slots
        if count <= 0:
            return ()
        return struct.unpack('<%dQ' % count, self.mem.read(start, 8 * count))

    # -- tasks --

    def task_name(self, name):
        if not name:
            return None
        s = self.strings.get(name)
        if s is not None:
            return s
        k = self.kind(name)
        if k == 'str':
            return self.string(name)
        if k == 'int':
            # 3.12+ formats a task's default name lazily: the counter is stored.
            if self.minor >= 12:
                # One read: the tag and the one digit a counter below 2**30 has.
                tag, digit = struct.unpack_from('<QI', self.mem.read(name + self.LONG_TAG, 12))
                if tag == 8:
                    return 'Task-%d' % digit
            return 'Task-%d' % self.pyint(name)
        return None

    def creation(self, tb):
        """A task's _source_traceback (a list of FrameSummary, outermost first) as frame ids, innermost first."""
        out = []
        mem = self.mem
        items = self.seq_items(tb, 1000)
        summaries = self.summaries
        ids = self.summary_ids
        unpack = U8.unpack_from
        for item in reversed(items[-MAX_CREATED:]):
            taddr = mem.u64(item + self.OB_TYPE)
            offsets = summaries.get(taddr)
            if offsets is None:
                offsets = summaries[taddr] = self.summary_slots(item)
            if offsets == 'tuple':
                parts = self.seq_items(item, 8)
                if len(parts) < 3:
                    continue
                file, line, name = parts[0], parts[1], parts[2]
            elif offsets:
                # One read a FrameSummary: its three slots.
                lo = offsets[0]
                raw = mem.read(item + lo, offsets[1] - lo + 8)
                file = unpack(raw, offsets[2] - lo)[0]
                line = unpack(raw, offsets[3] - lo)[0]
                name = unpack(raw, offsets[4] - lo)[0]
            else:
                continue
            if not file or not name:
                continue
            # The frame of a traceback line, cached by its objects: the same file and function
            # strings (interned) in every traceback, and the line's number.
            lineno = self.line_number(line) if line else 0
            key = (file, name, lineno)
            i = ids.get(key)
            if i is None:
                i = ids[key] = self.frame_id(self.string(file), self.string(name), lineno)
            out.append(i)
        return out

    def line_number(self, obj):
        """A line number (a small int: one read of its size and first digit), 0 if it is not an int."""
        mem = self.mem
        taddr = mem.u64(obj + self.OB_TYPE)
        if taddr != self.int_type:
            if (self.kinds.get(taddr) or self.type_kind(taddr)) != 'int':
                return int(self.number(obj) or 0)
            self.int_type = taddr
        if self.minor >= 12:
            tag, digit = struct.unpack_from('<QI', mem.read(obj + self.LONG_TAG, 12))
            if tag == 8:
                return digit
        else:
            size, digit = struct.unpack_from('<qI', mem.read(obj + self.OB_SIZE, 12))
            if size == 1 and self.LONG_DIGITS == self.OB_SIZE + 8:
                return digit
        return int(self.pyint(obj))

    def summary_slots(self, item):
        """How a traceback entry's type holds its file, line and name: 'tuple', (lo, hi, file, line, name) slot offsets, or ()."""
        t = self.type_of(item)
        if 'tuple' in t['names']:
            return 'tuple'
        self.slot(item, 'filename')
        members = t.get('slots') or {}
        at = [members.get(n) for n in ('filename', 'lineno', 'name')]
        if None in at:
            return ()
        return (min(at), max(at)) + tuple(at)

    def origin(self, coro):
        """A coroutine's origin (sys.set_coroutine_origin_tracking_depth: asyncio debug mode), innermost first."""
        o = self.mem.u64(coro + self.CR_ORIGIN)
        if not o or 'tuple' not in self.type_of(o)['names']:
            return []
        out = []
        for entry in self.seq_items(o, 64)[:MAX_CREATED]:
            parts = self.seq_items(entry, 4)
            if len(parts) >= 3:
                out.append(self.frame_id(self.string(parts[0]), self.string(parts[2]), int(self.number(parts[1]) or 0)))
        return out

    def type_kind(self, taddr):
        """What objects of a type are to the chain walk (cached): coro, gen, cw, asend, athrow, futiter, task, future, str, int, other."""
        k = self.kinds.get(taddr)
        if k is None:
            names = self.type_info(taddr)['names']
            for k, wanted in KINDS:
                if any(n in names for n in wanted):
                    break
            else:
                k = 'other'
            self.kinds[taddr] = k
        return k

    def kind(self, obj):
        taddr = self.mem.u64(obj + self.OB_TYPE)
        return self.kinds.get(taddr) or self.type_kind(taddr)

    def read_task(self, task, registry):
        mem = self.mem
        u64 = mem.u64
        kinds = self.kinds
        type_kind = self.type_kind
        OB_TYPE = self.OB_TYPE
        taddr = u64(task + OB_TYPE)
        if (kinds.get(taddr) or type_kind(taddr)) == 'task':
            head = mem.read(task, self.TASK_SIZE)
            state = self.STATES.get(I4.unpack_from(head, self.T_STATE)[0], 'unknown')
            if state != 'pending':
                return {'id': '0x%x' % task, 'state': state}
            name = U8.unpack_from(head, self.T_NAME)[0]
            loop = U8.unpack_from(head, self.T_LOOP)[0]
            obj = U8.unpack_from(head, self.T_CORO)[0]
            tb = U8.unpack_from(head, self.T_SOURCE_TB)[0]
            waiter = U8.unpack_from(head, self.T_WAITER)[0]
        elif 'Task' in self.type_info(taddr)['names'] or self.types[taddr]['name'].endswith('Task'):
            # asyncio's pure-Python Task (asyncio.tasks._PyTask, or every task of a program without
            # the C module _asyncio): its fields are instance attributes.
            head = None
            fields = self.pure_fields(task)
            if fields is None:
                raise PureTask(self.types[taddr]['name'])
            state, name, loop, obj, tb, waiter = fields
            if state != 'pending':
                return {'id': '0x%x' % task, 'state': state}
        else:
            raise Unreadable('not a task: %s' % self.types[taddr]['name'])
        out = {'id': '0x%x' % task, 'name': self.task_name(name)}
        tname = self.types[taddr]['name']
        if tname != '_asyncio.Task':
            out['type'] = tname
        if registry == 'eager':
            out['eager'] = True
        out['loop'] = loop
        chain = []
        ends = None
        slots = []
        coro_status = None
        first = True
        gen_frame = self.gen_frame
        frame_ids = self.frame_ids
        k = None
        for _ in range(MAX_DEPTH):
            if not obj:
                break
            otype = u64(obj + OB_TYPE)
            k = kinds.get(otype) or type_kind(otype)
            if k == 'coro' or k == 'gen':
                got = gen_frame(obj)
                if got is None:
                    break
                c, line, yf, status, frame_slots = got
                if first:
                    coro_status = status
                    if k == 'coro' and not tb:
                        origin = self.origin(obj)
                        if origin:
                            out['origin'] = origin
                    first = False
                key = (c['code'], line)
                i = frame_ids.get(key)
                if i is None:
                    i = frame_ids[key] = self.frame_id(c['file'], self.qualified(c, frame_slots), line)
                chain.append(i)
                slots.append(frame_slots)
                if not yf:
                    break
                if status == 'running':
                    # A running frame's stack top is only a guess at what it awaits: follow a running coroutine only.
                    try:
                        if self.kind(yf) not in ('coro', 'gen'):
                            break
                        inner = gen_frame(yf)
                        if inner is None or inner[3] != 'running':
                            break
                    except Unreadable:
                        break
                obj = yf
                continue
            if k == 'cw':
                obj = u64(obj + self.CW_CORO)
                continue
            if k == 'asend':
                obj = u64(obj + self.ASEND_GEN)
                continue
            if k == 'athrow':
                obj = u64(obj + self.ATHROW_GEN)
                continue
            if k == 'futiter':
                ends = u64(obj + self.FUTITER_FUTURE)
                k = None
                break
            ends = obj
            break
        if not ends and waiter:
            ends = waiter
            k = None
        pure = head is None
        if pure and chain and self.frames[chain[-1]][1].split('.')[-1] == '__await__' and self.frames[chain[-1]][0].replace('\\', '/').endswith('asyncio/futures.py'):
            # A pure-Python Future's __await__ (`yield self`): how it waits, not where; as a C
            # future's await shows no frame, neither does this.
            chain.pop()
            slots.pop()
        chain.reverse()
        out['frames'] = chain
        if coro_status == 'running':
            out['running'] = True
        elif coro_status == 'created':
            out['notStarted'] = True
        if ends:
            out['awaits'] = self.describe_awaitable(ends, chain)
        if tb:
            try:
                created = self.creation(tb)
                if created:
                    out['created'] = created
                    out.pop('origin', None)
            except Unreadable:
                pass
        out['_slots'] = slots
        out['_ends'] = ends
        out['_waiter'] = waiter
        out['_pure'] = pure
        return out

    def instance_attrs(self, obj):
        """{name: value} of an instance's attributes (its __dict__, managed dict or inline values)."""
        mem = self.mem
        t = self.type_of(obj)
        flags = t['flags']
        items = None
        if self.minor >= 11 and flags & (1 << 4):  # Py_TPFLAGS_MANAGED_DICT
            values = d = 0
            if self.minor == 11:
                values = mem.u64(obj - 32)
                d = mem.u64(obj - 24)
                if values:
                    values += self.VALUES_AT
            elif self.minor == 12:
                dorv = mem.u64(obj - 24)
                if dorv & 1:
                    values = dorv + 1 + self.VALUES_AT
                else:
                    d = dorv
            else:
                d = mem.u64(obj - 24)
                if not d and flags & (1 << 2):  # Py_TPFLAGS_INLINE_VALUES
                    inline = obj + t['basicsize']
                    if mem.u8(inline + 3):
                        values = inline + self.VALUES_AT
            if values:
                items = self.keys_entries(mem.u64(t['addr'] + self.HT_CACHED_KEYS), values)
            elif d:
                items = self.dict_items(d)
        elif t['dictoffset'] > 0:
            d = mem.u64(obj + t['dictoffset'])
            items = self.dict_items(d) if d else None
        out = {}
        for k, v in items or ():
            try:
                out[self.string(k)] = v
            except Unreadable:
                pass
        return out

    PURE_STATES = {'PENDING': 'pending', 'CANCELLED': 'cancelled', 'FINISHED': 'finished'}

    def pure_state(self, attrs):
        # Future._state is a class attribute ('PENDING') until the future is done.
        state = attrs.get('_state')
        return self.PURE_STATES.get(self.string(state), 'unknown') if state else 'pending'

    def pure_fields(self, task):
        """A pure-Python task's (state, name, loop, coroutine, source traceback, waited future), or None."""
        attrs = self.instance_attrs(task)
        if '_coro' not in attrs or '_loop' not in attrs:
            return None
        tb = attrs.get('_source_traceback', 0)
        if tb and 'list' not in self.type_of(tb)['names']:
            tb = 0  # None, not a list
        waiter = attrs.get('_fut_waiter', 0)
        if waiter and 'Future' not in self.type_of(waiter)['names']:
            waiter = 0
        return self.pure_state(attrs), attrs.get('_name', 0), attrs.get('_loop', 0), attrs['_coro'], tb, waiter

    def qualified(self, c, frame_slots):
        """A frame's function name; on 3.8-3.10 (no co_qualname) an asyncio lock's or queue's method is
        named by the class it runs for (its `self`), as 3.11+ names it: Condition.wait, not just wait."""
        name = c['name']
        if self.minor > 10 or '.' in name:
            return name
        classes = QUALIFY.get(name)
        if not classes or not c['file'].replace('\\', '/').endswith(('asyncio/locks.py', 'asyncio/queues.py')):
            return name
        try:
            values = self.slot_values((frame_slots[0], 1))
            names = self.type_of(values[0])['names'] if values and values[0] else ()
        except TORN:
            return name
        for n in names:
            if n in classes:
                return '%s.%s' % (n, name)
        return name

    def describe_awaitable(self, obj, chain):
        taddr = self.mem.u64(obj + self.OB_TYPE)
        k = self.kinds.get(taddr) or self.type_kind(taddr)
        t = self.types[taddr]
        a = {'id': '0x%x' % obj, 'type': t['name']}
        if k == 'task':
            a['kind'] = 'task'
        elif k == 'future' or 'Future' in t['names']:
            a['kind'] = 'future'
            if k == 'future':
                a['state'] = self.STATES.get(self.mem.i32(obj + self.F_STATE_FUT), 'unknown')
            else:
                # A pure-Python Future (or Task): its state is an attribute.
                try:
                    a['state'] = self.pure_state(self.instance_attrs(obj))
                except TORN:
                    a['state'] = 'unknown'
                if 'Task' in t['names']:
                    a['kind'] = 'task'
            if k == 'future':
                try:
                    self.future_facts(obj, a, chain)
                except TORN:
                    pass
            if t['name'].endswith('_GatheringFuture'):
                a['kind'] = 'gather'
                try:
                    children = self.attr(obj, '_children')
                    if children:
                        a['children'] = ['0x%x' % x for x in self.seq_items(children, 100000)]
                except Unreadable:
                    pass
        else:
            a['kind'] = 'other'
        # Where the innermost coroutine is a known asyncio wait, what it knows (a sleep's delay,
        # a task group's tasks) is read from its frame's locals.
        if chain:
            a['_inner'] = chain[0]
        return a

    def in_asyncio(self, frame):
        """Whether a frame (id) runs in asyncio's own files (cached)."""
        inside = self.asyncio_frames.get(frame)
        if inside is None:
            inside = self.asyncio_frames[frame] = '/asyncio/' in self.frames[frame][0].replace('\\', '/')
        return inside

    def future_facts(self, fut, a, chain):
        """What a plain future says of itself: where it was created (asyncio debug mode) and, for
        the outer future of asyncio.shield, the task or future it shields."""
        mem = self.mem
        # Where a future awaited inside asyncio (a lock's, a sleep's) was created says nothing new:
        # read only for one the task's own code awaits.
        tb = mem.u64(fut + self.F_SOURCE_TB) if chain and not self.in_asyncio(chain[0]) else 0
        if tb:
            created = self.creation(tb)
            if created:
                a['created'] = created
        callback = mem.u64(fut + self.F_CALLBACK0)
        if not callback or self.kind(callback) != 'function':
            return
        # A function object: its code and its closure are among its first fields (the first code
        # object and the first tuple of cells found there; both checked by type).
        words = struct.unpack('<8Q', mem.read(callback + 16, 64))
        code = closure = None
        for w in words:
            if not w or w & 7:
                continue
            try:
                wk = self.kind(w)
            except TORN:
                continue
            if wk == 'code' and code is None:
                code = w
            elif wk == 'tuple' and closure is None:
                closure = w
        if not code or self.code_info(code)['name'].split('.')[-1] != '_outer_done_callback':
            return
        a['shield'] = True
        for cell in self.seq_items(closure, 8) if closure else ():
            if self.kind(cell) != 'cell':
                continue
            inner = mem.u64(cell + self.CELL_REF)
            if inner and self.kind(inner) in ('task', 'future'):
                a['inner'] = '0x%x' % inner
                if self.kind(inner) == 'future':
                    a['innerKind'] = 'future'
                break

    def finish_awaitable(self, task):
        """Facts read from the innermost frame's locals (asyncio.sleep's delay, a TaskGroup's tasks)."""
        a = task.get('awaits')
        if not a or '_inner' not in a or not task['_slots']:
            return
        inner = a.pop('_inner')
        what = self.inner_waits.get(inner)
        if what is None:
            file, name, _line = self.frames[inner]
            file = file.replace('\\', '/')
            if name == 'sleep' and file.endswith('asyncio/tasks.py'):
                what = 'sleep'
            elif name == 'wait_for' and file.endswith('asyncio/tasks.py') and self.minor <= 11:
                what = 'wait_for'
            elif name.split('.')[-1] in ('__aexit__', '_aexit') and file.endswith('asyncio/taskgroups.py'):
                what = 'taskgroup'
            else:
                what = ''
            self.inner_waits[inner] = what
        if not what:
            return
        values = self.slot_values(task['_slots'][-1])
        if not values:
            return
        if what == 'sleep':
            delay = self.number(values[0]) if values[0] else None
            if delay is not None:
                a['delay'] = delay
        elif what == 'wait_for':
            # Its first local: the task it made of what it waits for.
            if values[0] and self.kind(values[0]) == 'task':
                a['inner'] = '0x%x' % values[0]
        else:
            tasks = self.attr(values[0], '_tasks') if values[0] else None
            if tasks:
                a['kind'] = 'taskgroup'
                a['children'] = ['0x%x' % x for x in self.set_items(tasks, 100000)]


KINDS = (
    ('coro', ('coroutine',)),
    ('gen', ('generator', 'async_generator')),
    ('cw', ('coroutine_wrapper',)),
    ('asend', ('async_generator_asend',)),
    ('athrow', ('async_generator_athrow',)),
    ('futiter', ('_asyncio.FutureIter', 'FutureIter')),
    ('task', ('_asyncio.Task',)),
    ('future', ('_asyncio.Future',)),
    ('str', ('str',)),
    ('int', ('int',)),
    ('function', ('function',)),
    ('code', ('code',)),
    ('tuple', ('tuple',)),
    ('cell', ('cell',)),
)

# Methods of asyncio's locks and queues whose 3.8-3.10 code objects carry no class in their name,
# and the classes (self's type or one of its bases) that define them.
QUALIFY = {
    'wait': ('Event', 'Condition', 'Barrier'),
    'wait_for': ('Condition',),
    'acquire': ('Semaphore', 'Lock'),
    'get': ('Queue',),
    'put': ('Queue',),
    'join': ('Queue',),
}


def varint(table, i):
    b = table[i]
    i += 1
    val = b & 63
    shift = 6
    while b & 64:
        b = table[i]
        i += 1
        val |= (b & 63) << shift
        shift += 6
    return val, i


# ---- the registries ----

def interpreters(r, runtime):
    mem = r.mem
    head = mem.u64(runtime + r.L.off('_PyRuntimeState', 'interpreters.head'))
    nxt = r.L.off('PyInterpreterState', 'next')
    modules_at = r.L.off('PyInterpreterState', 'imports.modules') if r.minor >= 12 else r.L.off('PyInterpreterState', 'modules')
    out = []
    interp = head
    for _ in range(64):
        if not interp:
            break
        out.append(mem.u64(interp + modules_at))
        interp = mem.u64(interp + nxt)
    return out


def weak_referents(r, weakset, limit):
    """Tasks a WeakSet holds: its `data` set of weak references, each one's referent."""
    data = r.attr(weakset, 'data')
    if not data:
        return []
    out = []
    u64 = r.mem.u64
    OB_TYPE, WR_OBJECT = r.OB_TYPE, r.WR_OBJECT
    weak = {}  # type -> whether it is a weak reference's
    for ref in r.set_items(data, limit):
        try:
            taddr = u64(ref + OB_TYPE)
            is_ref = weak.get(taddr)
            if is_ref is None:
                t = r.type_info(taddr)
                is_ref = weak[taddr] = 'weakref' in t['name'] or 'ReferenceType' in t['name'] or 'KeyedRef' in t['names']
            if is_ref:
                obj = u64(ref + WR_OBJECT)
                if obj:
                    out.append(obj)
        except Unreadable:
            r.unreadable += 1
    return out


def collect(r, modules_dicts):
    """The tasks of every interpreter's asyncio.tasks registries. Each registry is read on its own
    and read again from fresh pages when the running process changed it under the reader."""
    found = {}  # task addr -> registry
    current = {}  # loop -> task
    asyncio_seen = False
    mem = r.mem
    for modules in modules_dicts:
        if not modules:
            continue
        try:
            tasks_mod = fresh(mem, r.dict_get, modules, 'asyncio.tasks')
        except TORN as e:
            r.errors.append('sys.modules: %s' % e)
            continue
        if not tasks_mod:
            continue
        asyncio_seen = True
        names = {}
        for k, v in fresh(mem, lambda: r.dict_items(mem.u64(tasks_mod + r.MD_DICT))):
            try:
                key = r.string(k)
            except Unreadable:
                continue
            if key in ('_all_tasks', '_scheduled_tasks', '_eager_tasks', '_current_tasks'):
                names[key] = v
        for key in ('_all_tasks', '_scheduled_tasks'):
            if key in names:
                for task in fresh(mem, weak_referents, r, names[key], MAX_TASKS):
                    found.setdefault(task, 'scheduled')
        if '_eager_tasks' in names:
            for task in fresh(mem, r.set_items, names['_eager_tasks'], MAX_TASKS):
                found[task] = 'eager'
        if '_current_tasks' in names:
            # Changed at every step of every task: when it cannot be read whole, the tasks are still
            # listed, without which one runs now.
            r.current_dicts.append(names['_current_tasks'])
            try:
                running = fresh(mem, r.dict_items, names['_current_tasks'])
            except TORN as e:
                running = []
                r.errors.append('the running task: %s' % e)
            for loop, task in running:
                current['0x%x' % loop] = '0x%x' % task
                found.setdefault(task, 'current')
    return asyncio_seen, found, current


# ---- who else holds what a task waits for ----

SYNC_WAITS = {
    'asyncio/locks.py': ('Event.wait', 'Lock.acquire', 'Condition.wait', 'Semaphore.acquire', 'BoundedSemaphore.acquire', 'Barrier.wait', 'wait', 'acquire'),
    'asyncio/queues.py': ('Queue.get', 'Queue.put', 'Queue.join', 'get', 'put', 'join'),
}


def orphan_candidates(r, tasks):
    """Object -> (tasks waiting on it): the sync primitive a task waits in (its `self`), or the future it awaits."""
    waits = {}
    seen = {}  # innermost frame id -> 'timer', 'sync' or 'future'
    for task in tasks:
        a = task.get('awaits')
        if not a or a['kind'] not in ('future',) or not task.get('frames'):
            continue
        inner = task['frames'][0]
        how = seen.get(inner)
        if how is None:
            file, name, _line = r.frames[inner]
            file = file.replace('\\', '/')
            how = seen[inner] = 'timer' if name == 'sleep' and file.endswith('asyncio/tasks.py') else 'sync' if any(
                file.endswith(suffix) and name in functions for suffix, functions in SYNC_WAITS.items()) else 'future'
        if how == 'timer':
            continue  # a timer completes it
        candidate = task['_ends']
        if how == 'sync':
            values = r.slot_values(task['_slots'][-1])
            candidate = values[0] if values else 0
        if candidate:
            waits.setdefault(candidate, []).append(task)
    return waits


def mark_orphans(r, tasks):
    """A future or primitive only its waiters hold: nobody can complete it (a timer, a callback or another task would hold it)."""
    for obj, waiting in orphan_candidates(r, tasks).items():
        try:
            count = r.refcount(obj)
            held = 0
            for task in waiting:
                if task['_waiter'] == obj:
                    held += 1
                if task['_ends'] == obj and not task['_pure']:
                    held += 1  # the FutureIter at the end of the chain (a C future's await)
                for slots in task['_slots']:
                    held += r.slot_values(slots).count(obj)
                if held > count:
                    break
            if held == 0 or count != held or timed(r, waiting):
                continue
            for task in waiting:
                task['awaits']['orphan'] = True
                if obj != task['_ends']:
                    task['awaits']['holder'] = r.type_of(obj)['name']
        except (Unreadable, struct.error, IndexError, ValueError, OverflowError):
            pass


def timed(r, waiting):
    """Whether a waiting task's frames hold a timeout's method (`async with asyncio.timeout()`, async_timeout): it ends the wait."""
    for task in waiting:
        for slots in task['_slots']:
            for v in r.slot_values(slots):
                if not v:
                    continue
                if r.type_of(v)['name'] == 'method':
                    owner = r.mem.u64(v + r.IM_SELF)
                    if owner and r.type_of(owner)['name'].lower().endswith('timeout'):
                        return True
    return False


# A loop's current task seen again, at the same place, this long after: it has not yielded since
# (a synchronous call blocks the loop). Looked at twice more, so a task that merely runs often is
# not taken for one that never stops.
STILL_AFTER = (0.1, 0.2)


def still_running(r, tasks, current, since):
    """Marks the loops' current tasks that stay current at the same frames (`blockedMs`)."""
    if not current or not r.current_dicts:
        return
    by_id = dict((task['id'], task) for task in tasks if task.get('current'))
    if not by_id:
        return
    mem = r.mem
    for after in STILL_AFTER:
        if time.time() > DEADLINE - 1:
            return
        wait = since + after - time.time()
        if wait > 0:
            time.sleep(wait)
        mem.pages.clear()
        now = {}
        try:
            for d in r.current_dicts:
                for loop, task in fresh(mem, r.dict_items, d):
                    now['0x%x' % task] = loop
            for tid in list(by_id):
                if tid not in now:
                    del by_id[tid]
                    continue
                again = r.read_task(int(tid, 16), 'current')
                if again.get('frames') != by_id[tid]['frames']:
                    del by_id[tid]
        except (TORN + (Exited, PureTask)):
            return
        if not by_id:
            return
    for task in by_id.values():
        task['blockedMs'] = int((time.time() - since) * 1000)


def main():
    started = time.time()
    out = {'pid': PID}
    try:
        if hasattr(signal, 'alarm'):
            # The far side's own limit: a read that outlives Snag's timeout ends here too.
            signal.alarm(max(1, int(DEADLINE - time.time()) + 2))
        interp = find_interpreter(PID)
        mem = Memory(PID)
        minor, full = detect_version(mem, interp)
        if minor is None:
            raise Report('unsupported', 'cannot tell the Python version of %s' % interp['path'])
        out['pythonVersion'] = full or minor
        doc = LAYOUTS.get(minor)
        if doc is None:
            raise Report('unsupported', 'Python %s is not supported by the asyncio task reader (it reads 3.8 to 3.13)' % minor)
        # The process runs on while it is read: a registry caught mid-change reads as garbage, and
        # is read again from fresh pages (collect, fresh) before it is reported unreadable.
        r = Reader(mem, Layout(doc))
        asyncio_seen, found, current = collect(r, fresh(mem, interpreters, r, interp['runtime']))
        current_at = time.time()
        out['asyncio'] = asyncio_seen
        tasks = []
        pure = 0
        truncated = False
        for addr, registry in found.items():
            if len(tasks) >= MAX_TASKS or time.time() > DEADLINE - 1:
                truncated = True
                break
            try:
                task = r.read_task(addr, registry)
                if 'state' not in task:
                    task['current'] = task['id'] in current.values() or None
                    if not task['current']:
                        del task['current']
                    tasks.append(task)
            except PureTask:
                pure += 1
            except TORN as e:
                # Changed under the reader (a task finishing as it is read): counted, not fatal;
                # unless the process itself has exited.
                r.unreadable += 1
                if (r.unreadable == 1 or r.unreadable % 256 == 0) and process_gone(PID):
                    raise Exited()
                if len(r.errors) < 5:
                    r.errors.append(str(e))
        for task in tasks:
            try:
                r.finish_awaitable(task)
            except (Unreadable, struct.error, IndexError, ValueError, OverflowError):
                pass
        if time.time() < DEADLINE - 1:
            mark_orphans(r, tasks)
        still_running(r, tasks, current, current_at)
        loops = sorted(set(task['loop'] for task in tasks))
        out['loops'] = ['0x%x' % x for x in loops]
        for task in tasks:
            # Named only where there are several loops (threads each running one).
            loop = task.pop('loop')
            if len(loops) > 1:
                task['loop'] = '0x%x' % loop
            if task.pop('_pure', False):
                task['pure'] = True
                if task.get('type') == 'Task':
                    del task['type']
                if task.get('awaits', {}).get('type') in ('Future', 'Task'):
                    del task['awaits']['type']
            for k in ('_slots', '_ends', '_waiter'):
                task.pop(k, None)
            a = task.get('awaits')
            if a:
                a.pop('_inner', None)
                if a.get('type') in ('_asyncio.Future', '_asyncio.Task'):
                    del a['type']
                if a.get('state') == 'pending':
                    del a['state']
        out['tasks'] = tasks
        out['frames'] = r.frames
        out['current'] = current
        if truncated:
            out['truncated'] = True
        out['unreadable'] = r.unreadable
        if pure:
            out['pureTasks'] = pure
        if r.errors:
            out['errors'] = r.errors
        out['reads'] = mem.reads
    except Report as e:
        out['error'] = {'code': e.code, 'message': str(e)}
    except Exited:
        out['error'] = {'code': 'exited', 'message': 'process %d exited while its tasks were read' % PID}
    except TORN as e:
        if process_gone(PID):
            out['error'] = {'code': 'exited', 'message': 'process %d exited while its tasks were read' % PID}
        else:
            out['error'] = {'code': 'unreadable', 'message': 'the interpreter state could not be read (%s: %s)' % (type(e).__name__, e)}
    out['elapsedMs'] = int((time.time() - started) * 1000)
    sys.stdout.write(BEGIN + '\n' + json.dumps(out, separators=(',', ':')) + '\n' + END + '\n')
    sys.stdout.flush()
    # Nothing to clean up: skip freeing tens of thousands of objects one by one on the way out.
    os._exit(0)


main()
