// The exprjit Go loader: built with -buildmode=c-shared by the same toolchain and flags
// as the plugins, dlopen'ed once per process with RTLD_GLOBAL, it hosts the Go runtime
// and opens plugins with Go's plugin package (a plugin dlopen'ed directly cannot start a
// runtime of its own).  It evaluates nothing: C++ calls the plugins' code directly
// (docs/design.md, "Go JIT direct calls").  See docs/jit.md.
//
// Calling convention (backends/gojit/runtime/goloader.hpp declares the same):
//
//	int ejOpen(char* path, char* manifest, char* err, size_t errlen)           -> plugin id or -1
//	int ejLookup(int plugin, char* name, int kind, uintptr_t* entry, char* err, size_t errlen)
//	                                                                           -> 0 or -1
//
// kind 0 and 1 are func(_, _, _ uintptr, vp, fp unsafe.Pointer) float64 (one row, by value
// or by pointer), kind 2 is func(cols, out unsafe.Pointer, n int, fp unsafe.Pointer); a
// symbol of any other type is an error, never a crash.  *entry receives the function's
// machine-code entry (Go's internal ABI; backends/gojit/abi.hpp).  Needs Go >= 1.19.
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
	"unsafe"
)

type rowFunc = func(uintptr, uintptr, uintptr, unsafe.Pointer, unsafe.Pointer) float64
type batchFunc = func(unsafe.Pointer, unsafe.Pointer, int, unsafe.Pointer)

var (
	mu      sync.Mutex // serialises ejOpen and ejLookup
	plugins []*plugin.Plugin
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

// ejReady returns once the Go runtime has started.  A c-shared library starts its runtime
// on a thread of its own while dlopen returns, and the first call of an exported function
// waits for it; the host calls this one while the asynchronous signals are still blocked,
// so that the runtime's threads and signal handlers are all in place before it restores
// what it keeps for itself (its SIGURG handler, its signal mask).
//
//export ejReady
func ejReady() C.int { return 1 }

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
		setErr(errbuf, errlen, "EjManifest has type "+typeName(sym)+", want *string")
		return -1
	}
	if want := C.GoString(manifest); *m != want {
		setErr(errbuf, errlen, "the plugin's manifest is "+strconv.Quote(*m)+", want "+strconv.Quote(want))
		return -1
	}
	plugins = append(plugins, p)
	return C.int(len(plugins) - 1)
}

//export ejLookup
func ejLookup(id C.int, name *C.char, kind C.int, entry *C.uintptr_t, errbuf *C.char, errlen C.size_t) C.int {
	mu.Lock()
	defer mu.Unlock()
	if id < 0 || int(id) >= len(plugins) {
		setErr(errbuf, errlen, "no plugin "+strconv.Itoa(int(id)))
		return -1
	}
	sym, err := plugins[id].Lookup(C.GoString(name))
	if err != nil {
		setErr(errbuf, errlen, err.Error())
		return -1
	}
	switch kind {
	case 0, 1:
		if f, ok := sym.(rowFunc); ok {
			*entry = C.uintptr_t(reflect.ValueOf(f).Pointer())
			return 0
		}
		setErr(errbuf, errlen, C.GoString(name)+" has type "+typeName(sym)+", want func(uintptr, uintptr, uintptr, unsafe.Pointer, unsafe.Pointer) float64")
	case 2:
		if f, ok := sym.(batchFunc); ok {
			*entry = C.uintptr_t(reflect.ValueOf(f).Pointer())
			return 0
		}
		setErr(errbuf, errlen, C.GoString(name)+" has type "+typeName(sym)+", want func(unsafe.Pointer, unsafe.Pointer, int, unsafe.Pointer)")
	default:
		setErr(errbuf, errlen, "unknown kind "+strconv.Itoa(int(kind)))
	}
	return -1
}

func main() {}
