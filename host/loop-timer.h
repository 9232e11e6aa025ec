/*
 * Arming an ivykis timer, the one way the host does it: ivykis keeps a
 * registered timer's expiry in its heap, so a timer is re-armed by
 * unregistering it first ("if registered, unregister; register").  Times are
 * milliseconds on the loop's monotonic clock (iv_now).  Loop thread only.
 * The caller owns T, initialised with IV_TIMER_INIT.
 */
#ifndef LIFELINE_LOOP_TIMER_H
#define LIFELINE_LOOP_TIMER_H

#include <iv.h>
#include <stdint.h>

/* iv_now in milliseconds. */
int64_t loop_timer_now_ms(void);

/* T fires at AT_MS (on the loop_timer_now_ms() clock). */
void loop_timer_arm_at(struct iv_timer *t, int64_t at_ms);

/* T fires MS milliseconds from now (iv_now validated first). */
void loop_timer_arm_in(struct iv_timer *t, int64_t ms);

#endif
