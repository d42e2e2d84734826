/*
 * memory_ref.c - src/router/memory.c again, with the Cholesky sweeps as
 * they were written first (MEMORY_REFERENCE) and its functions renamed
 * ref_*: tests/test_memory.c checks that the faster sweeps change no bit.
 */
#define MEMORY_REFERENCE          1
#define router_memory_params_init ref_memory_params_init
#define router_memory_new         ref_memory_new
#define router_memory_free        ref_memory_free
#define router_memory_set_params  ref_memory_set_params
#define router_memory_get_params  ref_memory_get_params
#define router_memory_add         ref_memory_add
#define router_memory_correction  ref_memory_correction
#define router_memory_apply       ref_memory_apply
#define router_memory_count       ref_memory_count
#include "../src/router/memory.c"
