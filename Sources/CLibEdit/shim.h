#ifndef SKIPKV_CLIBEDIT_SHIM_H
#define SKIPKV_CLIBEDIT_SHIM_H
// libedit's readline emulation uses FILE without including stdio.h itself.
#include <stdio.h>
#include <editline/readline.h>
#endif
