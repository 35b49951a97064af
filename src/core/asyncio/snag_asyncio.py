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
                        word = mem.u16(instr + 2)
                        awaiting = (word & 0xFF) in self.RESUMES and (word >> 8) >= 2
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
        t = self.type_of(name)
        if 'str' in t['names']:
            return self.string(name)
        if 'int' in t['names']:
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
        items = self.seq_items(tb, 1000)
        for item in reversed(items[-MAX_CREATED:]):
            t = self.type_of(item)
            if 'tuple' in t['names']:
                parts = self.seq_items(item, 8)
                if len(parts) < 3:
                    continue
                file, line, name = parts[0], parts[1], parts[2]
            else:
                file, line, name = self.slot(item, 'filename'), self.slot(item, 'lineno'), self.slot(item, 'name')
            if not file or not name:
                continue
            lineno = self.number(line) if line else 0
            out.append(self.frame_id(self.string(file), self.string(name), int(lineno or 0)))
        return out

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

    def kind(self, obj):
        """What an object is to the chain walk, cached per type: coro, gen, cw, asend, athrow, futiter, task, future, other."""
        taddr = self.mem.u64(obj + self.OB_TYPE)
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

    def read_task(self, task, registry):
        mem = self.mem
        if self.kind(task) != 'task':
            raise Unreadable('not a C task: %s' % self.type_of(task)['name'])
        head = mem.read(task, self.TASK_SIZE)
        state = self.STATES.get(I4.unpack_from(head, self.T_STATE)[0], 'unknown')
        if state != 'pending':
            return {'id': '0x%x' % task, 'state': state}
        out = {'id': '0x%x' % task, 'name': self.task_name(U8.unpack_from(head, self.T_NAME)[0])}
        tname = self.type_of(task)['name']
        if tname != '_asyncio.Task':
            out['type'] = tname
        if registry == 'eager':
            out['eager'] = True
        out['loop'] = U8.unpack_from(head, self.T_LOOP)[0]
        chain = []
        ends = None
        obj = U8.unpack_from(head, self.T_CORO)[0]
        slots = []
        coro_status = None
        first = True
        kind = self.kind
        for _ in range(MAX_DEPTH):
            if not obj:
                break
            k = kind(obj)
            if k == 'coro' or k == 'gen':
                got = self.gen_frame(obj)
                if got is None:
                    break
                c, line, yf, status, frame_slots = got
                if first:
                    coro_status = status
                    if k == 'coro':
                        origin = self.origin(obj)
                        if origin:
                            out['origin'] = origin
                    first = False
                key = (c['file'], c['name'], line)
                i = self.frame_index.get(key)
                chain.append(i if i is not None else self.frame_id(*key))
                slots.append(frame_slots)
                if not yf:
                    break
                if status == 'running':
                    # A running frame's stack top is only a guess at what it awaits: follow a running coroutine only.
                    try:
                        if kind(yf) not in ('coro', 'gen'):
                            break
                        inner = self.gen_frame(yf)
                        if inner is None or inner[3] != 'running':
                            break
                    except Unreadable:
                        break
                obj = yf
                continue
            if k == 'cw':
                obj = mem.u64(obj + self.CW_CORO)
                continue
            if k == 'asend':
                obj = mem.u64(obj + self.ASEND_GEN)
                continue
            if k == 'athrow':
                obj = mem.u64(obj + self.ATHROW_GEN)
                continue
            if k == 'futiter':
                ends = mem.u64(obj + self.FUTITER_FUTURE)
                break
            ends = obj
            break
        waiter = U8.unpack_from(head, self.T_WAITER)[0]
        if not ends and waiter:
            ends = waiter
        chain.reverse()
        out['frames'] = chain
        if coro_status == 'running':
            out['running'] = True
        elif coro_status == 'created':
            out['notStarted'] = True
        if ends:
            out['awaits'] = self.describe_awaitable(ends, chain)
        tb = U8.unpack_from(head, self.T_SOURCE_TB)[0]
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
        return out

    def describe_awaitable(self, obj, chain):
        k = self.kind(obj)
        t = self.type_of(obj)
        a = {'id': '0x%x' % obj, 'type': t['name']}
        if k == 'task':
            a['kind'] = 'task'
        elif k == 'future' or 'Future' in t['names']:
            a['kind'] = 'future'
            a['state'] = self.STATES.get(self.mem.i32(obj + self.F_STATE_FUT), 'unknown')
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

    def finish_awaitable(self, task):
        """Facts read from the innermost frame's locals (asyncio.sleep's delay, a TaskGroup's tasks)."""
        a = task.get('awaits')
        if not a or '_inner' not in a or not task['_slots']:
            return
        file, name, _line = self.frames[a.pop('_inner')]
        file = file.replace('\\', '/')
        inner_slots = task['_slots'][-1]
        if not file.endswith('asyncio/tasks.py') and not file.endswith('asyncio/taskgroups.py'):
            return
        values = self.slot_values(inner_slots)
        if not values:
            return
        if name == 'sleep' and file.endswith('tasks.py'):
            delay = self.number(values[0]) if values[0] else None
            if delay is not None:
                a['delay'] = delay
        elif name.split('.')[-1] in ('__aexit__', '_aexit') and file.endswith('taskgroups.py'):
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
)


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
    for ref in r.set_items(data, limit):
        try:
            t = r.type_of(ref)
            if 'weakref' not in t['name'] and 'ReferenceType' not in t['name'] and 'KeyedRef' not in t['names']:
                continue
            obj = r.mem.u64(ref + r.WR_OBJECT)
            if obj:
                out.append(obj)
        except Unreadable:
            r.unreadable += 1
    return out


def collect(r, modules_dicts):
    found = {}  # task addr -> registry
    current = {}  # loop -> task
    asyncio_seen = False
    for modules in modules_dicts:
        if not modules:
            continue
        try:
            tasks_mod = r.dict_get(modules, 'asyncio.tasks')
        except Unreadable as e:
            r.errors.append('sys.modules: %s' % e)
            continue
        if not tasks_mod:
            continue
        asyncio_seen = True
        d = r.mem.u64(tasks_mod + r.MD_DICT)
        names = {}
        for k, v in r.dict_items(d):
            try:
                key = r.string(k)
            except Unreadable:
                continue
            if key in ('_all_tasks', '_scheduled_tasks', '_eager_tasks', '_current_tasks'):
                names[key] = v
        for key in ('_all_tasks', '_scheduled_tasks'):
            if key in names:
                for task in weak_referents(r, names[key], MAX_TASKS):
                    found.setdefault(task, 'scheduled')
        if '_eager_tasks' in names:
            for task in r.set_items(names['_eager_tasks'], MAX_TASKS):
                found[task] = 'eager'
        if '_current_tasks' in names:
            for loop, task in r.dict_items(names['_current_tasks']):
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
    for task in tasks:
        a = task.get('awaits')
        if not a or a['kind'] not in ('future',) or not task.get('frames'):
            continue
        file, name, _line = r.frames[task['frames'][0]]
        file = file.replace('\\', '/')
        candidate = task['_ends']
        if name == 'sleep' and file.endswith('asyncio/tasks.py'):
            continue  # a timer completes it
        for suffix, functions in SYNC_WAITS.items():
            if file.endswith(suffix) and name in functions:
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
                if task['_ends'] == obj:
                    held += 1  # the FutureIter at the end of the chain
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
        # The process runs on while it is read: a registry caught mid-change reads as garbage. Read
        # it again from fresh pages, a few times, before saying so.
        for attempt in range(4):
            r = Reader(mem, Layout(doc))
            try:
                asyncio_seen, found, current = collect(r, interpreters(r, interp['runtime']))
                break
            except (Unreadable, struct.error, IndexError, ValueError, KeyError, OverflowError):
                if attempt == 3 or time.time() > DEADLINE - 1:
                    raise
                mem.pages.clear()
                time.sleep(0.01 * (attempt + 1))
        out['asyncio'] = asyncio_seen
        tasks = []
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
            except (Unreadable, struct.error, IndexError, ValueError, OverflowError) as e:
                # Changed under the reader (a task finishing as it is read): counted, not fatal.
                r.unreadable += 1
                if len(r.errors) < 5:
                    r.errors.append(str(e))
        for task in tasks:
            try:
                r.finish_awaitable(task)
            except (Unreadable, struct.error, IndexError, ValueError, OverflowError):
                pass
        if time.time() < DEADLINE - 1:
            mark_orphans(r, tasks)
        loops = sorted(set(task['loop'] for task in tasks))
        out['loops'] = ['0x%x' % x for x in loops]
        for task in tasks:
            # Named only where there are several loops (threads each running one).
            loop = task.pop('loop')
            if len(loops) > 1:
                task['loop'] = '0x%x' % loop
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
        if r.errors:
            out['errors'] = r.errors
        out['reads'] = mem.reads
    except Report as e:
        out['error'] = {'code': e.code, 'message': str(e)}
    except (Unreadable, struct.error, IndexError, ValueError, KeyError, OverflowError) as e:
        out['error'] = {'code': 'unreadable', 'message': 'the interpreter state could not be read (%s: %s)' % (type(e).__name__, e)}
    out['elapsedMs'] = int((time.time() - started) * 1000)
    sys.stdout.write(BEGIN + '\n' + json.dumps(out, separators=(',', ':')) + '\n' + END + '\n')
    sys.stdout.flush()
    # Nothing to clean up: skip freeing tens of thousands of objects one by one on the way out.
    os._exit(0)


main()
