/*
 * SIGHUP: the configuration is parsed and validated completely first (a
 * broken one leaves the running configuration alone).  Then the new runtime
 * takes over what did not change (runtime_hand_over) and starts at once; the
 * old one delivers, or hands over, what its changed and removed
 * destinations hold, and is freed once it finished.
 */
#ifndef LIFELINE_HOST_RELOAD_H
#define LIFELINE_HOST_RELOAD_H

/* The SIGHUP handler; CTX is the struct host_main. */
void reload_on_sighup(void *ctx);
/* The swap task's handler (host_main.swap): reports and frees the old
 * runtime once it finished. */
void reload_swap(void *ctx);

#endif
