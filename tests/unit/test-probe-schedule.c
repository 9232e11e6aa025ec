/* The failback probe schedule on its own. */
#include <criterion/criterion.h>

#include "core/probe-schedule.h"

Test(probe_schedule, off_until_started)
{
  struct probe_schedule p = { 0 };
  cr_assert_eq(probe_schedule_due(&p, 0), INT64_MAX);
  cr_assert_eq(probe_schedule_deadline(&p, 5000), INT64_MAX);
  cr_assert_eq(probe_schedule_stop(&p), 0);
}

Test(probe_schedule, first_probe_an_interval_after_start)
{
  struct probe_schedule p;
  probe_schedule_start(&p, 1000, 60000);
  cr_assert_eq(probe_schedule_due(&p, 0), 61000);
  cr_assert_eq(probe_schedule_due(&p, 90000), 90000, "a blacklist or quarantine pushes it later");
  cr_assert_eq(probe_schedule_due(&p, INT64_MAX), INT64_MAX, "blocked for good: no probe");
}

Test(probe_schedule, one_in_flight_then_due_an_interval_after_it_started)
{
  struct probe_schedule p;
  probe_schedule_start(&p, 0, 60000);
  probe_schedule_begin(&p, 60000);
  cr_assert_eq(probe_schedule_due(&p, 0), INT64_MAX, "no second probe while one is in flight");
  cr_assert_eq(probe_schedule_deadline(&p, 5000), 65000);
  cr_assert_eq(probe_schedule_finish(&p, 1, 60100, 60000), 1);
  cr_assert_eq(probe_schedule_due(&p, 0), 120000);
  probe_schedule_begin(&p, 120000);
  cr_assert_eq(probe_schedule_finish(&p, 1, 120100, 60000), 2);
  probe_schedule_begin(&p, 180000);
  cr_assert_eq(probe_schedule_finish(&p, 0, 180100, 60000), 0, "a failure resets the count");
  probe_schedule_begin(&p, 240000);
  cr_assert_eq(probe_schedule_finish(&p, 1, 240100, 60000), 1);
}

Test(probe_schedule, an_overdue_next_probe_is_due_now)
{
  struct probe_schedule p;
  probe_schedule_start(&p, 0, 1000);
  probe_schedule_begin(&p, 1000);
  probe_schedule_finish(&p, 0, 6000, 1000);
  cr_assert_eq(probe_schedule_due(&p, 0), 6000);
}

Test(probe_schedule, stop_and_interrupt_report_a_probe_in_flight)
{
  struct probe_schedule p;
  probe_schedule_start(&p, 0, 60000);
  probe_schedule_begin(&p, 60000);
  cr_assert_eq(probe_schedule_stop(&p), 1);
  cr_assert_not(p.active);
  cr_assert_eq(probe_schedule_due(&p, 0), INT64_MAX);

  probe_schedule_start(&p, 0, 60000);
  probe_schedule_begin(&p, 60000);
  probe_schedule_finish(&p, 1, 60010, 60000);
  cr_assert_eq(probe_schedule_interrupt(&p, 60020, 60000), 0, "nothing in flight");
  cr_assert_eq(p.successes, 0, "the count restarts");
  probe_schedule_begin(&p, 120000);
  cr_assert_eq(probe_schedule_interrupt(&p, 120005, 60000), 1);
  cr_assert_not(p.in_flight);
  cr_assert(p.active);
  cr_assert_eq(probe_schedule_due(&p, 0), 180000);
}
