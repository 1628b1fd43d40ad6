/* version.h: what `ctadvisor --version` prints: the version, the kernel, and
 * the conntrack features this kernel offers to the caller, detected now (so
 * a report of "no" says what the other commands will miss and why). */
#ifndef CTADVISOR_VERSION_H
#define CTADVISOR_VERSION_H

#include <stdio.h>

/* Print the version and the detected features to out; never fails (a
 * feature that cannot be probed is shown as "no" with the reason). */
void version_print(FILE *out);

#endif
