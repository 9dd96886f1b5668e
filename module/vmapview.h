/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMAPVIEW_H
#define VMAPVIEW_H

#include "compat.h"

#define VMAPVIEW_NAME "vmapview"

#endif /* VMAPVIEW_H */
