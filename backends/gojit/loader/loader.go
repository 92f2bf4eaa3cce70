// The exprjit Go loader: built with -buildmode=c-shared by the same toolchain and flags
// as the plugins, dlopen'ed once per process with RTLD_GLOBAL, it hosts the Go runtime
// and opens plugins with Go's plugin package (a plugin dlopen'ed directly cannot start a
// runtime of its own).  See docs/jit.md.
//
// Calling convention (backends/gojit/goloader.cpp declares the same):
//   int ejLoaderAbi(void)
//   int ejOpen(char* path, char* manifest, char* err, size_t errlen)        -> plugin id or -1
//   int ejLookup(int plugin, char* name, int kind, char* err, size_t errlen) -> function id or -1
//   int ejCall(int fn, double* vars, size_t nvars, double* out)             -> 0, or 1 on a panic
//   int ejBatch(int fn, double** cols, size_t ncols, size_t n, double* out) -> 0, or 1 on a panic
// kind 0 is func([]float64) float64, kind 1 is func([][]float64, []float64); a symbol of
// any other type is an error, never a crash.  Needs Go >= 1.19 (atomic.Pointer).
package main

/*
#include <stddef.h>
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

const abi = 1 // codegen.hpp's kAbiVersion

type rowFunc = func([]float64) float64
type batchFunc = func([][]float64, []float64)

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
func ejLookup(id C.int, name *C.char, kind C.int, errbuf *C.char, errlen C.size_t) C.int {
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
			return C.int(appendCOW(&rows, f))
		}
		setErr(errbuf, errlen, C.GoString(name) + " has type " + typeName(sym) + ", want func([]float64) float64")
	case 1:
		if f, ok := sym.(batchFunc); ok {
			return C.int(appendCOW(&batches, f))
		}
		setErr(errbuf, errlen, C.GoString(name) + " has type " + typeName(sym) + ", want func([][]float64, []float64)")
	default:
		setErr(errbuf, errlen, "unknown kind " + strconv.Itoa(int(kind)))
	}
	return -1
}

//export ejCall
func ejCall(fn C.int, vars *C.double, n C.size_t, out *C.double) (rc C.int) {
	defer func() {
		if recover() != nil {
			rc = 1
		}
	}()
	f := (*rows.Load())[fn]
	*out = C.double(f(unsafe.Slice((*float64)(unsafe.Pointer(vars)), int(n))))
	return 0
}

//export ejBatch
func ejBatch(fn C.int, cols **C.double, ncols C.size_t, n C.size_t, out *C.double) (rc C.int) {
	defer func() {
		if recover() != nil {
			rc = 1
		}
	}()
	f := (*batches.Load())[fn]
	cs := make([][]float64, int(ncols))
	if ncols > 0 {
		for k, p := range unsafe.Slice(cols, int(ncols)) {
			cs[k] = unsafe.Slice((*float64)(unsafe.Pointer(p)), int(n))
		}
	}
	f(cs, unsafe.Slice((*float64)(unsafe.Pointer(out)), int(n)))
	return 0
}

func main() {}
