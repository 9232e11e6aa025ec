#include "loop-timer.h"

int64_t
loop_timer_now_ms(void)
{
  return (int64_t) iv_now.tv_sec * 1000 + iv_now.tv_nsec / 1000000;
}

void
loop_timer_arm_at(struct iv_timer *t, int64_t at_ms)
{
  if (iv_timer_registered(t))
    iv_timer_unregister(t);
  t->expires.tv_sec = (time_t) (at_ms / 1000);
  t->expires.tv_nsec = (long) (at_ms % 1000) * 1000000L;
  iv_timer_register(t);
}

void
loop_timer_arm_in(struct iv_timer *t, int64_t ms)
{
  iv_validate_now();
  loop_timer_arm_at(t, loop_timer_now_ms() + ms);
}
