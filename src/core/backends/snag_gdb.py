# Snag's gdb script. Runs inside 'gdb -batch': reads the task states, attaches to one process,
# collects every thread's native frames and the Python frames of each _PyEval_EvalFrame* frame,
# detaches, and prints one JSON document between marker lines. Python frames come from the
# interpreter's own gdb extension (python-gdb.py, as py-bt uses) when one can be found and
# trusted, else from Snag's reader of frame objects (3.8-3.13, needs the interpreter's debug info).
# Keep to Python 3.6 syntax: old distributions embed old Pythons in gdb.
import json
import os
import re
import sys
import time

import gdb

ARGS = globals().get('SNAG_ARGS') or {}
PID = int(ARGS.get('pid', 0))
WANT_LOCALS = bool(ARGS.get('locals'))
MAX_FRAMES = int(ARGS.get('maxFrames', 512))
EXTENSION_HINTS = list(ARGS.get('extensions') or [])
# False for a core whose interpreter the core (or its .json) named: a script beside that interpreter,
# or in the source tree its debug info names, came with untrusted input; only gdb's system folders.
SCRIPTS_BESIDE = ARGS.get('scriptsBeside', True) is not False
# 'py-bt' or 'frame-objects' to use one reader only (tests read both ways); default: the best one.
READER = ARGS.get('reader') or 'auto'
# A core file gdb loaded from its command line (gdb -batch PYTHON CORE): read it as it is, no attach.
CORE = bool(ARGS.get('core'))
BEGIN = '@@SNAG-GDB-BEGIN@@'
END = '@@SNAG-GDB-END@@'
PROGRESS = '@@SNAG-GDB-PROGRESS@@'
# Seconds between progress lines, the first after as long (0: one a thread, for tests).
PROGRESS_EVERY_S = float(ARGS.get('progressEvery', 1.0))
# Above this many threads the default reader is Snag's own (see choose_reader).
MANY_THREADS = 64
EVAL_FRAMES = ('_PyEval_EvalFrameDefault', 'PyEval_EvalFrameEx')


def read_task_states(pid):
    states = {}
    try:
        tids = os.listdir('/proc/%d/task' % pid)
    except OSError:
        return states
    for tid in tids:
        try:
            with open('/proc/%d/task/%s/stat' % (pid, tid)) as f:
                stat = f.read()
            states[tid] = stat[stat.rindex(')') + 2]
        except (OSError, ValueError, IndexError):
            pass
    return states


# ---- native frames ----

def objfile_name(pc):
    try:
        name = gdb.solib_name(pc)
    except Exception:
        name = None
    if name:
        return name
    try:
        return gdb.current_progspace().filename
    except Exception:
        return None


def native_frame(f):
    pc = f.pc()
    name = f.name() or ''
    if name.startswith('__GI_'):  # glibc's internal aliases: __GI___clock_nanosleep is __clock_nanosleep
        name = name[len('__GI_'):]
    out = {'function': name, 'pc': '0x%x' % pc, 'line': 0}
    if f.type() == gdb.INLINE_FRAME:
        out['inline'] = True
    try:
        sal = f.find_sal()
        if sal.symtab is not None:
            try:
                out['file'] = os.path.normpath(sal.symtab.fullname())
            except Exception:
                out['file'] = sal.symtab.filename
            out['line'] = sal.line or 0
    except Exception:
        pass
    lib = objfile_name(pc)
    if lib:
        out['library'] = lib
    if out['function'] in EVAL_FRAMES and f.type() == gdb.NORMAL_FRAME:
        out['eval'] = True
    return out


def thread_frames(notes):
    frames, gdb_frames = [], []
    try:
        f = gdb.newest_frame()
    except gdb.error as e:
        notes.append('no frames: %s' % e)
        return frames, gdb_frames
    # Past MAX_FRAMES only the interpreter's eval frames are kept (each carries a run of Python
    # frames), so a deep stack keeps every Python frame; the walk ends at a hard limit (a loop).
    walked, dropped = 0, 0
    while f is not None:
        walked += 1
        if walked > 64 * MAX_FRAMES:
            notes.append('stack cut: unwinding stopped after %d frames' % (walked - 1))
            break
        frame = native_frame(f)
        if len(frames) < MAX_FRAMES or frame.get('eval'):
            frames.append(frame)
            gdb_frames.append(f)
        else:
            dropped += 1
        try:
            f = f.older()
        except gdb.error as e:
            notes.append('unwinding stopped: %s' % e)
            break
    if dropped:
        notes.append('stack cut: %d native frames past the first %d left out (every Python frame kept)' % (dropped, MAX_FRAMES))
    return frames, gdb_frames


# ---- memory helpers (frame-objects reader) ----

def ptr_int(v):
    return int(v.cast(gdb.lookup_type('unsigned long')))


def read_bytes(addr, size):
    return bytes(gdb.selected_inferior().read_memory(addr, size))


def has_field(t, name):
    try:
        return any(f.name == name for f in t.strip_typedefs().fields())
    except Exception:
        return False


class Layout(object):
    """Type lookups done once per dump."""

    def __init__(self):
        self.pyobject_p = gdb.lookup_type('PyObject').pointer()
        self.code_p = gdb.lookup_type('PyCodeObject').pointer()
        self.bytes_p = gdb.lookup_type('PyBytesObject').pointer()
        self.ascii_t = gdb.lookup_type('PyASCIIObject')
        self.compact_t = gdb.lookup_type('PyCompactUnicodeObject')
        self.uchar_p = gdb.lookup_type('unsigned char').pointer()
        try:
            self.iframe_t = gdb.lookup_type('struct _PyInterpreterFrame')
        except gdb.error:
            self.iframe_t = None
        self.tstate_t = gdb.lookup_type('PyThreadState')
        try:
            self.code_type_addr = ptr_int(gdb.parse_and_eval('&PyCode_Type'))
        except gdb.error:
            self.code_type_addr = None
        try:
            self.cstack_owner = int(gdb.parse_and_eval('FRAME_OWNED_BY_CSTACK'))
        except gdb.error:
            self.cstack_owner = 3


def read_str(layout, obj):
    """A Python str object's text (compact strings, as all code-object strings are)."""
    if ptr_int(obj) == 0:
        return None
    a = obj.cast(layout.ascii_t.pointer()).dereference()
    state = a['state']
    length = int(a['length'])
    kind = int(state['kind'])
    if int(state['ascii']):
        data = ptr_int(obj) + layout.ascii_t.sizeof
    elif int(state['compact']):
        data = ptr_int(obj) + layout.compact_t.sizeof
    else:
        data = ptr_int(obj.cast(gdb.lookup_type('PyUnicodeObject').pointer())['data']['any'])
    length = min(length, 4096)
    raw = read_bytes(data, length * max(kind, 1))
    if kind == 1:
        return raw.decode('latin-1')
    return raw.decode('utf-16-le' if kind == 2 else 'utf-32-le', 'replace')


def read_pybytes(layout, obj):
    b = obj.cast(layout.bytes_p)
    size = int(b['ob_base']['ob_size'])
    return read_bytes(ptr_int(b['ob_sval'].address), min(max(size, 0), 1 << 20))


def varint(data, i):
    b = data[i]
    i += 1
    val = b & 63
    shift = 0
    while b & 64:
        b = data[i]
        i += 1
        shift += 6
        val |= (b & 63) << shift
    return val, i


def svarint(data, i):
    u, i = varint(data, i)
    return (-(u >> 1) if u & 1 else (u >> 1)), i


def line_311(table, first_line, addr):
    """Line of the code unit at addr from a 3.11+ location table (Objects/locations.md)."""
    i, line, start = 0, first_line, 0
    while i < len(table):
        b = table[i]
        i += 1
        code = (b >> 3) & 15
        end = start + (b & 7) + 1
        line_here = line
        if code == 15:
            line_here = None
        elif code == 14:
            delta, i = svarint(table, i)
            line += delta
            line_here = line
            for _ in range(3):
                _, i = varint(table, i)
        elif code == 13:
            delta, i = svarint(table, i)
            line += delta
            line_here = line
        elif code >= 10:
            line += code - 10
            line_here = line
            i += 2
        else:
            i += 1
        if start <= addr < end:
            return line_here
        start = end
    return None


def line_310(table, first_line, byte_addr):
    line, start = first_line, 0
    for k in range(0, len(table) - 1, 2):
        end = start + table[k]
        delta = table[k + 1] - 256 if table[k + 1] > 127 else table[k + 1]
        here = None if delta == -128 else line + delta
        if delta != -128:
            line += delta
        if start <= byte_addr < end:
            return here
        start = end
    return None


def line_lnotab(table, first_line, byte_addr):
    line, addr = first_line, 0
    for k in range(0, len(table) - 1, 2):
        addr += table[k]
        if addr > byte_addr:
            break
        delta = table[k + 1] - 256 if table[k + 1] > 127 else table[k + 1]
        line += delta
    return line


class Struct(object):
    """A C struct's field offsets and sizes from the debug info: one read of raw memory gives
    every field, where gdb.Value field access costs a type lookup per field."""

    def __init__(self, t):
        t = t.strip_typedefs()
        self.fields = {}
        for f in t.fields():
            if f.name and not getattr(f, 'bitsize', 0) and hasattr(f, 'bitpos'):
                self.fields[f.name] = (f.bitpos // 8, f.type.strip_typedefs().sizeof)
        self.sizeof = t.sizeof

    def has(self, name):
        return name in self.fields

    def offset(self, name):
        return self.fields[name][0]

    def span(self, *names):
        """Bytes to read so that every named field is in them."""
        return max(self.fields[n][0] + self.fields[n][1] for n in names if n in self.fields)

    def uint(self, mem, name):
        off, size = self.fields[name]
        return int.from_bytes(mem[off:off + size], sys.byteorder)

    def sint(self, mem, name):
        off, size = self.fields[name]
        return int.from_bytes(mem[off:off + size], sys.byteorder, signed=True)


class FrameObjectReader(object):
    """Python frames read straight from the interpreter's structures (needs its debug info).
    Frames are read as raw memory at offsets the debug info gives, once per frame; what a code
    object says (name, file, line table) is read once per code object: the threads of a process
    run the same few functions, so many threads cost little more than one."""

    method = 'frame-objects'

    def __init__(self, version):
        self.version = version
        self.layout = Layout()
        self.inferior = gdb.selected_inferior()
        self.codes = {}
        self.lines = {}
        self.bootstrap_self = None
        lay = self.layout
        if lay.iframe_t is not None:
            self.frame_s = Struct(lay.iframe_t)
            self.code_field = 'f_executable' if self.frame_s.has('f_executable') else 'f_code'
            self.instr_field = 'instr_ptr' if self.frame_s.has('instr_ptr') else 'prev_instr'
            self.frame_fields = [self.code_field, 'previous', self.instr_field, 'owner', 'is_entry']
            self.locals_field = 'localsplus'
        else:
            self.frame_s = Struct(gdb.lookup_type('PyFrameObject'))
            self.frame_fields = ['f_back', 'f_code', 'f_lasti']
            self.locals_field = 'f_localsplus'
        self.frame_span = self.frame_s.span(*self.frame_fields)
        self.current_frame_direct = has_field(lay.tstate_t, 'current_frame')
        # Threads are matched on their pthread id (PyThreadState.thread_id, every version).
        self.by_pthread = {}
        for tstate in all_tstates():
            self.by_pthread[int(tstate['thread_id'])] = tstate

    def read(self, addr, size):
        return bytes(self.inferior.read_memory(addr, size))

    def code(self, addr):
        """What one code object says, read once: None when addr is no code object."""
        if addr in self.codes:
            return self.codes[addr]
        info = None
        lay = self.layout
        c = gdb.Value(addr).cast(lay.code_p)
        if lay.code_type_addr is None or ptr_int(c.cast(lay.pyobject_p).dereference()['ob_type']) == lay.code_type_addr:
            fields = [f.name for f in c.dereference().type.strip_typedefs().fields()]
            name = read_str(lay, c['co_qualname'] if 'co_qualname' in fields else c['co_name'])
            info = {'function': name, 'file': read_str(lay, c['co_filename']), 'first': int(c['co_firstlineno'])}
            try:
                if 'co_code_adaptive' in fields:  # 3.11+: the line table counts code units
                    info['start'] = ptr_int(c['co_code_adaptive'].address)
                    info['table'] = read_pybytes(lay, c['co_linetable'])
                    info['line'] = line_311
                elif 'co_linetable' in fields:  # 3.10: f_lasti counts code units
                    info['table'] = read_pybytes(lay, c['co_linetable'])
                    info['line'] = lambda table, first, lasti: line_310(table, first, lasti * 2)
                else:
                    info['table'] = read_pybytes(lay, c['co_lnotab'])
                    info['line'] = line_lnotab
            except Exception:
                info['table'] = None
        self.codes[addr] = info
        return info

    def frame(self, code_addr, info, lasti):
        key = (code_addr, lasti)
        line = self.lines.get(key)
        if line is None:
            line = None
            try:
                if lasti < 0:
                    line = info['first']
                elif info.get('table') is not None:
                    line = info['line'](info['table'], info['first'], lasti)
            except Exception:
                line = None
            line = line or 0
            self.lines[key] = line
        return {'function': info['function'], 'file': info['file'], 'line': line}

    def chunks(self, pthread):
        """Python frames per eval frame, innermost first (one list per _PyEval_EvalFrame*)."""
        tstate = self.by_pthread.get(pthread)
        self.bootstrap_self = None
        if tstate is None:
            return []
        if self.layout.iframe_t is not None:
            first = tstate['current_frame'] if self.current_frame_direct else tstate['cframe']['current_frame']
            return self.chunks_311(ptr_int(first))
        return self.chunks_38(ptr_int(tstate['frame']))

    def note_bootstrap(self, name, frame_addr):
        # threading.Thread._bootstrap_inner(self): its first local is the Thread, which has the name.
        if name and name.rsplit('.', 1)[-1] == '_bootstrap_inner':
            word = self.layout.pyobject_p.sizeof
            addr = int.from_bytes(self.read(frame_addr + self.frame_s.offset(self.locals_field), word), sys.byteorder)
            self.bootstrap_self = gdb.Value(addr).cast(self.layout.pyobject_p)

    def thread_name(self):
        """threading.Thread's name for the thread chunks() just read, or None."""
        if self.bootstrap_self is None:
            return None
        try:
            value = instance_attr(self.layout, self.bootstrap_self, '_name')
            return read_str(self.layout, value) if value is not None else None
        except Exception:
            return None

    def chunks_311(self, addr):
        s = self.frame_s
        entry = s.has('is_entry')
        out, chunk, seen = [], [], 0
        while addr != 0 and seen < 4 * MAX_FRAMES:
            seen += 1
            mem = self.read(addr, self.frame_span)
            previous = s.uint(mem, 'previous')
            if not entry and s.uint(mem, 'owner') == self.layout.cstack_owner:
                # 3.12+: the shim frame each _PyEval_EvalFrameDefault call pushes first.
                out.append(chunk)
                chunk = []
                addr = previous
                continue
            code_addr = s.uint(mem, self.code_field)
            info = self.code(code_addr)
            if info is not None:
                start = info.get('start', 0)
                lasti = (s.uint(mem, self.instr_field) - start) // 2
                chunk.append(self.frame(code_addr, info, lasti))
                self.note_bootstrap(info['function'], addr)
            if entry and s.uint(mem, 'is_entry'):
                out.append(chunk)
                chunk = []
            addr = previous
        if chunk:
            out.append(chunk)
        return out

    def chunks_38(self, addr):
        s = self.frame_s
        out = []
        while addr != 0 and len(out) < 4 * MAX_FRAMES:
            mem = self.read(addr, self.frame_span)
            code_addr = s.uint(mem, 'f_code')
            info = self.code(code_addr)
            if info is not None:
                out.append([self.frame(code_addr, info, s.sint(mem, 'f_lasti'))])
                self.note_bootstrap(info['function'], addr)
            addr = s.uint(mem, 'f_back')
        return out


def type_fields(t):
    return [f.name for f in t.strip_typedefs().fields()]


def dict_items(keys, values):
    """(key, value) pairs of a dict keys object; values (PyObject**) for split tables, else None."""
    k = keys.dereference()
    kf = type_fields(k.type)
    if 'dk_log2_index_bytes' in kf:  # 3.11+
        index_bytes = 1 << int(k['dk_log2_index_bytes'])
        general = int(k['dk_kind']) == 0
    else:
        size = int(k['dk_size'])
        index_bytes = size * (1 if size <= 0xff else 2 if size <= 0xffff else 4 if size <= 0xffffffff else 8)
        general = True
    entry_t = gdb.lookup_type('PyDictKeyEntry' if general else 'PyDictUnicodeEntry')
    entries = gdb.Value(ptr_int(k['dk_indices'].address) + index_bytes).cast(entry_t.pointer())
    for i in range(min(int(k['dk_nentries']), 4096)):
        e = entries[i]
        value = values[i] if values is not None else e['me_value']
        if ptr_int(e['me_key']) and ptr_int(value):
            yield e['me_key'], value


def values_array(lay, values):
    """PyDictValues* (3.11+) → PyObject** of its values."""
    return values.dereference()['values'].address.cast(lay.pyobject_p.pointer())


def instance_attr(lay, obj, name):
    """An attribute from an instance's __dict__ (or the inline values that stand for it), or None."""
    pp = lay.pyobject_p.pointer()
    word = lay.pyobject_p.sizeof
    base = ptr_int(obj)
    tp = obj.cast(lay.pyobject_p).dereference()['ob_type']
    flags = int(tp['tp_flags'])
    keys, values, d = None, None, None
    cached_keys = lambda: tp.cast(gdb.lookup_type('PyHeapTypeObject').pointer()).dereference()['ht_cached_keys']
    try:
        values_p = gdb.lookup_type('PyDictValues').pointer()
    except gdb.error:
        values_p = None
    if values_p is not None and 'valid' in type_fields(values_p.target()) and flags & (1 << 2):
        # 3.13: values inline after the object while valid, else a materialised dict before it.
        v = gdb.Value(base + int(tp['tp_basicsize'])).cast(values_p)
        if int(v.dereference()['valid']):
            keys, values = cached_keys(), values_array(lay, v)
        else:
            d = gdb.Value(base - 3 * word).cast(pp).dereference()
    elif values_p is not None and flags & (1 << 4):
        # 3.11/3.12: a managed dict, or the values of a split table, stored before the object.
        try:
            gdb.lookup_type('PyDictOrValues')
            raw = int(gdb.Value(base - 3 * word).cast(gdb.lookup_type('unsigned long').pointer()).dereference())
            if raw & 1:  # 3.12 tags values by storing (values - 1)
                keys, values = cached_keys(), values_array(lay, gdb.Value(raw + 1).cast(values_p))
            else:
                d = gdb.Value(raw).cast(lay.pyobject_p)
        except gdb.error:
            v = gdb.Value(base - 4 * word).cast(values_p.pointer()).dereference()
            if ptr_int(v):
                keys, values = cached_keys(), values_array(lay, v)
            else:
                d = gdb.Value(base - 3 * word).cast(pp).dereference()
    else:
        offset = int(tp['tp_dictoffset'])
        if offset > 0:
            d = gdb.Value(base + offset).cast(pp).dereference()
    if d is not None:
        if ptr_int(d) == 0:
            return None
        dd = d.cast(gdb.lookup_type('PyDictObject').pointer()).dereference()
        keys = dd['ma_keys']
        mv = dd['ma_values']
        if ptr_int(mv):
            values = mv.cast(pp) if values_p is None else values_array(lay, mv)
    if keys is None:
        return None
    for key, value in dict_items(keys, values):
        try:
            if read_str(lay, key) == name:
                return value
        except Exception:
            continue
    return None


def dict_get(lay, d, name):
    """The value (a PyObject*) under the str key `name` in a dict object, or None."""
    if d is None or ptr_int(d) == 0:
        return None
    dd = d.cast(gdb.lookup_type('PyDictObject').pointer()).dereference()
    values = None
    if ptr_int(dd['ma_values']):
        try:
            values = values_array(lay, dd['ma_values'].cast(gdb.lookup_type('PyDictValues').pointer()))
        except gdb.error:
            values = dd['ma_values'].cast(lay.pyobject_p.pointer())
    for key, value in dict_items(dd['ma_keys'], values):
        try:
            if read_str(lay, key) == name:
                return value
        except Exception:
            continue
    return None


def main_thread_name(lay):
    """threading.main_thread().name: the name the program gave its main thread, or None."""
    modules = None
    for expr in ('_PyRuntime.interpreters.main->imports.modules', '_PyRuntime.interpreters.main->modules'):
        try:
            modules = gdb.parse_and_eval(expr)
            break
        except gdb.error:
            continue
    module = dict_get(lay, modules, 'threading')
    if module is None:
        return None
    main = dict_get(lay, module.cast(gdb.lookup_type('PyModuleObject').pointer()).dereference()['md_dict'], '_main_thread')
    if main is None:
        return None
    name = instance_attr(lay, main, '_name')
    return read_str(lay, name) if name is not None else None


_shared_layout = []


def shared_layout():
    if not _shared_layout:
        _shared_layout.append(Layout())
    return _shared_layout[0]


def all_tstates():
    interp = gdb.parse_and_eval('_PyRuntime.interpreters.head')
    seen = 0
    while ptr_int(interp) != 0 and seen < 64:
        seen += 1
        i = interp.dereference()
        if has_field(i.type, 'threads'):  # 3.11+
            t = i['threads']['head']
        else:
            t = i['tstate_head']
        n = 0
        while ptr_int(t) != 0 and n < 10000:
            n += 1
            yield t
            t = t['next']
        interp = i['next']


def gil_holder():
    """The pthread id of the thread holding the GIL, or None."""
    for expr in ('_PyRuntime.interpreters.main->ceval.gil', '&_PyRuntime.ceval.gil'):
        try:
            gil = gdb.parse_and_eval(expr).dereference()
        except gdb.error:
            continue
        try:
            locked = gil['locked']
            if has_field(locked.type, '_value'):
                locked = locked['_value']
            if not int(locked):
                return None
            holder = gil['last_holder']
            if has_field(holder.type, '_value'):
                holder = holder['_value']
            holder = holder.cast(gdb.lookup_type('PyThreadState').pointer())
            if ptr_int(holder) == 0:
                return None
            return int(holder['thread_id'])
        except gdb.error:
            return None
    return None


# ---- the interpreter's own gdb extension ----

def interpreter_objfiles():
    out = []
    for o in gdb.objfiles():
        name = o.filename or ''
        base = os.path.basename(name)
        if re.match(r'^(lib)?python\d', base) and not base.endswith('.debug'):
            out.append(name)
    return out


def extension_candidates(objfiles):
    data_dir = gdb.parameter('data-directory') or '/usr/share/gdb'
    debug_dirs = (gdb.parameter('debug-file-directory') or '/usr/lib/debug').split(':')
    roots = [os.path.join(data_dir, 'auto-load'), '/usr/share/gdb/auto-load'] + debug_dirs
    out = list(EXTENSION_HINTS)
    for name in objfiles:
        for path in (name, os.path.realpath(name)):
            if SCRIPTS_BESIDE:
                out.append(path + '-gdb.py')
            for root in roots:
                # A name with '..' (a forged core's) must not lead out of the system folder.
                under = os.path.normpath(root.rstrip('/') + path + '-gdb.py')
                if under.startswith(os.path.normpath(root) + '/'):
                    out.append(under)
            m = re.match(r'^libpython(\d+\.\d+)', os.path.basename(path))
            if m and SCRIPTS_BESIDE:
                # pyenv and other source builds keep the script beside the executable.
                prefix = os.path.dirname(os.path.dirname(path))
                out.append(os.path.join(prefix, 'bin', 'python%s-gdb.py' % m.group(1)))
    if not SCRIPTS_BESIDE:
        return [p for i, p in enumerate(out) if p not in out[:i]]
    try:
        sym = gdb.lookup_global_symbol('_PyEval_EvalFrameDefault')
        source = sym.symtab.fullname() if sym is not None and sym.symtab is not None else None
    except Exception:
        source = None
    if source:
        tree = os.path.dirname(os.path.dirname(source))  # <tree>/Python/ceval.c
        out += [os.path.join(tree, 'python-gdb.py'), os.path.join(tree, 'Tools', 'gdb', 'libpython.py')]
    seen, unique = set(), []
    for p in out:
        if p not in seen:
            seen.add(p)
            unique.append(p)
    return unique


def trusted(path):
    """Loading a script runs its code: only files owned by root or us, writable by no one else."""
    st = os.stat(path)
    return st.st_uid in (0, os.geteuid()) and not (st.st_mode & 0o022)


def load_extension(notes):
    skipped = []
    for path in extension_candidates(interpreter_objfiles()):
        if not os.path.isfile(path):
            continue
        if not trusted(path):
            skipped.append(path)
            continue
        ns = {'__name__': 'snag_python_gdb', '__file__': path}
        try:
            with open(path) as f:
                code = compile(f.read(), path, 'exec')
            exec(code, ns)
        except Exception as e:
            notes.append('could not load %s: %s' % (path, e))
            continue
        if 'Frame' in ns and 'PyObjectPtr' in ns:
            return path, ns
    for path in skipped:
        notes.append('not loading %s: owned by another user or writable by others' % path)
    return None, None


class ExtensionReader(object):
    """Python frames read by the interpreter's gdb extension, the way its py-bt command does."""

    method = 'py-bt'

    def __init__(self, ns, path):
        self.ns = ns
        self.path = path

    def pyframe(self, op):
        visited = set()
        if op.is_optimized_out():
            return {'function': '(optimized out)', 'file': '', 'line': 0}
        name = op.co_name.proxyval(visited)
        try:
            name = op.co.pyop_field('co_qualname').proxyval(visited)
        except Exception:
            pass
        line = op.current_line_num()
        out = {'function': str(name), 'file': str(op.filename()), 'line': int(line or 0)}
        if WANT_LOCALS:
            out['locals'] = self.locals(op)
        return out

    def locals(self, op):
        args = set()
        try:
            co = op.co
            nargs = int(co.field('co_argcount')) + int(co.field('co_kwonlyargcount'))
            flags = int(co.field('co_flags'))
            nargs += (1 if flags & 0x04 else 0) + (1 if flags & 0x08 else 0)  # *args, **kwargs
            names = op.co_localsplusnames if hasattr(op, 'co_localsplusnames') else co.pyop_field('co_varnames')
            args = set(str(n) for n in tuple(names.proxyval(set()))[:nargs])
        except Exception:
            pass
        out = []
        try:
            for name, value in op.iter_locals():
                n = str(name.proxyval(set()))
                out.append({'name': n, 'repr': value.get_truncated_repr(200), 'arg': n in args})
        except Exception:
            pass
        return out

    def interpreter_frames(self, gframe):
        """The interpreter frames one eval frame runs, innermost first (py-bt's walk)."""
        op = self.ns['Frame'](gframe).get_pyop()
        n = 0
        while op is not None and n < MAX_FRAMES:
            n += 1
            if op.is_optimized_out():
                yield op
                return
            if hasattr(op, 'as_address') and op.as_address() == 0:
                return
            if hasattr(op, 'is_shim') and op.is_shim():  # 3.12+: the entry frame ends the run
                return
            yield op
            if hasattr(op, 'is_entry'):  # 3.11
                if op.is_entry():
                    return
            elif not hasattr(op, 'is_shim'):  # up to 3.10: one frame per eval frame
                return
            op = op.previous()

    def chunk(self, gframe):
        out = []
        for op in self.interpreter_frames(gframe):
            out.append(self.pyframe(op))
            if out[-1]['function'].rsplit('.', 1)[-1] == '_bootstrap_inner':
                self.bootstrap_ops.append(op)
        return out

    def chunks(self, frames, gframes):
        """Python frames per eval frame of one thread, innermost first."""
        self.bootstrap_ops = []
        return [self.chunk(g) for f, g in zip(frames, gframes) if f.get('eval')]

    def thread_name(self, gframes):
        """threading.Thread's name, from the 'self' of its _bootstrap_inner frame (chunks() saw it)."""
        for op in self.bootstrap_ops:
            try:
                for name, value in op.iter_locals():
                    if name.proxyval(set()) == 'self':
                        # The str object's own characters, not a repr to take apart again.
                        lay = shared_layout()
                        attr = instance_attr(lay, gdb.Value(value.as_address()).cast(lay.pyobject_p), '_name')
                        return read_str(lay, attr) if attr is not None else None
            except Exception:
                continue
        return None


# ---- the dump ----

def python_version():
    try:
        v = int(gdb.parse_and_eval('Py_Version'))
        return '%d.%d.%d' % ((v >> 24) & 255, (v >> 16) & 255, (v >> 8) & 255)
    except gdb.error:
        pass
    for name in interpreter_objfiles():
        m = re.search(r'python(\d+\.\d+)', os.path.basename(name))
        if m:
            return m.group(1)
    return None


def has_python_debug_info():
    try:
        gdb.lookup_type('PyThreadState')
        gdb.parse_and_eval('_PyRuntime')
        return True
    except gdb.error:
        return False


_frame_object_reader = []


def frame_object_reader(version):
    if not _frame_object_reader:
        _frame_object_reader.append(FrameObjectReader(version))
    return _frame_object_reader[0]


def choose_reader(version, notes, many_threads):
    # Both readers need the interpreter's debug info (its types and _PyRuntime).
    if not has_python_debug_info():
        names = interpreter_objfiles()
        if names:
            notes.append('no debug info for the Python interpreter (%s)' % ', '.join(names))
        else:
            notes.append('no Python interpreter found in the process')
        return None
    if many_threads:
        # The extension builds several objects a frame (about a millisecond each): for hundreds of
        # threads Snag's reader, which reads each code object once, is many times faster.
        try:
            return frame_object_reader(version)
        except Exception as e:
            notes.append('cannot read frame objects: %s' % e)
    if READER != 'frame-objects':
        path, ns = load_extension(notes)
        if ns is not None:
            return ExtensionReader(ns, path)
        if READER == 'py-bt':
            notes.append("the interpreter's gdb extension (python-gdb.py) was not found")
            return None
    try:
        return frame_object_reader(version)
    except Exception as e:
        notes.append('cannot read frame objects: %s' % e)
        return None


class Progress(object):
    """Lines on stderr while a long read goes on (gdb.ts hands them to its caller): one every
    PROGRESS_EVERY_S, the first after as long. A quick dump prints none."""

    def __init__(self, total):
        self.total = total
        self.next = time.time() + PROGRESS_EVERY_S

    def thread_done(self, done):
        now = time.time()
        if now < self.next:
            return
        self.next = now + PROGRESS_EVERY_S
        sys.stderr.write('%s %s\n' % (PROGRESS, json.dumps({'threads': done, 'of': self.total})))
        sys.stderr.flush()


def has_registers(th):
    try:
        th.switch()
        gdb.newest_frame().pc()
        return True
    except gdb.error:
        return False


def collect(out):
    notes = out['notes']
    version = python_version()
    out['pythonVersion'] = version
    inferior = gdb.selected_inferior()
    all_threads = sorted(inferior.threads(), key=lambda t: t.num)
    if CORE:
        # A core of a process in another PID namespace (a container's, taken from the host): its
        # pthreads name their namespace's thread ids, which gdb adds as threads without registers
        # beside the core's own. Only threads whose registers the core holds are read.
        all_threads = [th for th in all_threads if has_registers(th)]
    many = READER == 'auto' and not WANT_LOCALS and len(all_threads) > MANY_THREADS
    reader = choose_reader(version, notes, many)
    if many and isinstance(reader, FrameObjectReader):
        out['manyThreads'] = len(all_threads)
    out['method'] = reader.method if reader else 'native'
    if isinstance(reader, ExtensionReader):
        out['extension'] = reader.path
    try:
        gil = gil_holder() if has_python_debug_info() else None
    except Exception:
        gil = None
    threads = []
    progress = Progress(len(all_threads))
    for th in all_threads:
        progress.thread_done(len(threads))
        th.switch()
        lwp = th.ptid[1]
        tnotes = []
        frames, gframes = thread_frames(tnotes)
        thread = {'num': th.num, 'lwp': lwp, 'name': th.name, 'frames': frames, 'notes': tnotes}
        try:
            handle = th.handle()
            thread['pthread'] = int.from_bytes(bytes(handle), sys.byteorder)
        except Exception:
            pass
        if gil is not None and 'pthread' in thread:
            thread['gil'] = gil == thread['pthread']
        if reader is not None:
            try:
                if isinstance(reader, ExtensionReader):
                    chunks = reader.chunks(frames, gframes)
                    thread['pythonName'] = reader.thread_name(gframes)
                    if any(len(c) == 0 for c in chunks) and READER == 'auto':
                        # The extension reads each eval frame's locals, which optimised builds may
                        # lose; the thread's own frame chain does not depend on them.
                        fallback = frame_object_reader(version).chunks(thread.get('pthread'))
                        if len(fallback) >= len(chunks) and sum(map(len, fallback)) > sum(map(len, chunks)):
                            chunks = fallback
                            tnotes.append('Python frames read from frame objects (the gdb extension could not read them)')
                    thread['python'] = chunks
                else:
                    thread['python'] = reader.chunks(thread.get('pthread'))
                    thread['pythonName'] = reader.thread_name()
            except Exception as e:
                tnotes.append('could not read Python frames: %s' % e)
            if lwp == inferior.pid and not thread.get('pythonName'):
                # No _bootstrap_inner frame names the main thread: threading keeps its name.
                try:
                    thread['pythonName'] = main_thread_name(shared_layout())
                except Exception:
                    pass
        threads.append(thread)
    out['threads'] = threads


def main_core():
    out = {'version': 1, 'pid': PID, 'notes': [], 'states': {}, 'attached': False}
    try:
        inferior = gdb.selected_inferior()
        if not inferior.pid or not inferior.threads():
            out['error'] = {'stage': 'attach', 'message': 'gdb loaded no core file (no process in it)'}
            return
        out['pid'] = inferior.pid
        out['attached'] = True
        try:
            collect(out)
        except Exception as e:
            out['error'] = {'stage': 'read', 'message': '%s: %s' % (type(e).__name__, e)}
    finally:
        sys.stdout.write('\n%s\n%s\n%s\n' % (BEGIN, json.dumps(out), END))
        sys.stdout.flush()


def main():
    if CORE:
        return main_core()
    out = {'version': 1, 'pid': PID, 'notes': [], 'states': read_task_states(PID), 'attached': False}
    try:
        try:
            gdb.execute('attach %d' % PID, to_string=True)
        except gdb.error as e:
            out['error'] = {'stage': 'attach', 'message': str(e)}
            return
        out['attached'] = True
        try:
            collect(out)
        except Exception as e:
            out['error'] = {'stage': 'read', 'message': '%s: %s' % (type(e).__name__, e)}
        finally:
            try:
                gdb.execute('detach', to_string=True)
                out['detached'] = True
            except gdb.error as e:
                out['detachError'] = str(e)
    finally:
        sys.stdout.write('\n%s\n%s\n%s\n' % (BEGIN, json.dumps(out), END))
        sys.stdout.flush()


main()
