#ifndef SKIPKV_CLIBUV_SHIM_H
#define SKIPKV_CLIBUV_SHIM_H
#include <uv.h>
#endif
