// The exprjit Go loader: built with -buildmode=c-shared by the same toolchain and flags
// as the plugins, dlopen'ed once per process with RTLD_GLOBAL, it hosts the Go runtime
// and opens plugins with Go's plugin package (a plugin dlopen'ed directly cannot start a
// runtime of its own).  See docs/jit.md.
//
// Calling convention (backends/gojit/goloader.hpp declares the same):
//   int ejLoaderAbi(void)
//   int ejOpen(char* path, char* manifest, char* err, size_t errlen)        -> plugin id or -1
//   int ejLookup(int plugin, char* name, int kind, uintptr_t* entry, char* err, size_t errlen)
//                                                                            -> function id or -1
//   int ejCall(int fn, double* vars, double* out)                           -> 0, or 1 on a panic
//   int ejBatch(int fn, double** cols, size_t n, double* out)               -> 0, or 1 on a panic
// kind 0 is func(_, _, _ uintptr, vp unsafe.Pointer) float64 (one row: the slots; vp is the
// fourth integer argument, which Go's internal ABI passes in RDI like C's first), kind 1 is
// func(unsafe.Pointer, unsafe.Pointer, int) (column pointers, output, rows); a symbol of
// any other type is an error, never a crash.  *entry receives the function's machine-code
// entry (Go's internal ABI), which the direct path calls without cgo (docs/design.md,
// "Go JIT direct calls").  Needs Go >= 1.19 (atomic.Pointer).
package main

/*
#include <stddef.h>
#include <stdint.h>
*/
import "C"

import (
	"plugin"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"
)

const abi = 3 // codegen.hpp's kAbiVersion

type rowFunc = func(uintptr, uintptr, uintptr, unsafe.Pointer) float64
type batchFunc = func(unsafe.Pointer, unsafe.Pointer, int)

var (
	mu      sync.Mutex // serialises ejOpen and ejLookup
	plugins []*plugin.Plugin
	// Copy-on-write tables: calls read them without a lock.
	rows    atomic.Pointer[[]rowFunc]
	batches atomic.Pointer[[]batchFunc]
)

// typeName is what %T would print (fmt is left out: it makes the loader a third bigger,
// and the loader is hashed and mapped by every process that uses the jit).
func typeName(v interface{}) string { return reflect.TypeOf(v).String() }

func setErr(buf *C.char, n C.size_t, msg string) {
	if buf == nil || n == 0 {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(n))
	k := copy(b[:len(b)-1], msg)
	b[k] = 0
}

//export ejLoaderAbi
func ejLoaderAbi() C.int { return abi }

//export ejOpen
func ejOpen(path *C.char, manifest *C.char, errbuf *C.char, errlen C.size_t) C.int {
	mu.Lock()
	defer mu.Unlock()
	p, err := plugin.Open(C.GoString(path))
	if err != nil {
		setErr(errbuf, errlen, err.Error())
		return -1
	}
	sym, err := p.Lookup("EjManifest")
	if err != nil {
		setErr(errbuf, errlen, err.Error())
		return -1
	}
	m, ok := sym.(*string)
	if !ok {
		setErr(errbuf, errlen, "EjManifest has type " + typeName(sym) + ", want *string")
		return -1
	}
	if want := C.GoString(manifest); *m != want {
		setErr(errbuf, errlen, "the plugin's manifest is " + strconv.Quote(*m) + ", want " + strconv.Quote(want))
		return -1
	}
	plugins = append(plugins, p)
	return C.int(len(plugins) - 1)
}

func appendCOW[F any](table *atomic.Pointer[[]F], f F) int {
	var next []F
	if old := table.Load(); old != nil {
		next = make([]F, len(*old), len(*old)+1)
		copy(next, *old)
	}
	next = append(next, f)
	table.Store(&next)
	return len(next) - 1
}

//export ejLookup
func ejLookup(id C.int, name *C.char, kind C.int, entry *C.uintptr_t, errbuf *C.char, errlen C.size_t) C.int {
	mu.Lock()
	defer mu.Unlock()
	if id < 0 || int(id) >= len(plugins) {
		setErr(errbuf, errlen, "no plugin " + strconv.Itoa(int(id)))
		return -1
	}
	sym, err := plugins[id].Lookup(C.GoString(name))
	if err != nil {
		setErr(errbuf, errlen, err.Error())
		return -1
	}
	switch kind {
	case 0:
		if f, ok := sym.(rowFunc); ok {
			*entry = C.uintptr_t(reflect.ValueOf(f).Pointer())
			return C.int(appendCOW(&rows, f))
		}
		setErr(errbuf, errlen, C.GoString(name) + " has type " + typeName(sym) + ", want func(uintptr, uintptr, uintptr, unsafe.Pointer) float64")
	case 1:
		if f, ok := sym.(batchFunc); ok {
			*entry = C.uintptr_t(reflect.ValueOf(f).Pointer())
			return C.int(appendCOW(&batches, f))
		}
		setErr(errbuf, errlen, C.GoString(name) + " has type " + typeName(sym) + ", want func(unsafe.Pointer, unsafe.Pointer, int)")
	default:
		setErr(errbuf, errlen, "unknown kind " + strconv.Itoa(int(kind)))
	}
	return -1
}

//export ejCall
func ejCall(fn C.int, vars *C.double, out *C.double) (rc C.int) {
	defer func() {
		if recover() != nil {
			rc = 1
		}
	}()
	f := (*rows.Load())[fn]
	*out = C.double(f(0, 0, 0, unsafe.Pointer(vars)))
	return 0
}

//export ejBatch
func ejBatch(fn C.int, cols **C.double, n C.size_t, out *C.double) (rc C.int) {
	defer func() {
		if recover() != nil {
			rc = 1
		}
	}()
	f := (*batches.Load())[fn]
	f(unsafe.Pointer(cols), unsafe.Pointer(out), int(n))
	return 0
}

func main() {}
