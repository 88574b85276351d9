"""courses, course_modules, lessons, enrollments, lesson_progress.

The seed's trainer owns a published course (the participant and distributor A
are enrolled, B is not) and a draft meant for distributors.
"""

from tests.support.rls_matrix import rls_case

# Expectations: anon, participant, distributor A, distributor B, trainer, admin.
CASES = [
    # courses ----------------------------------------------------------------------
    rls_case(
        "courses",
        "select",
        "the published course",
        "select id from public.courses where id = %(course_published)s",
        "- A A A A A",
    ),
    rls_case(
        "courses",
        "select",
        "the draft course",
        "select id from public.courses where id = %(course_draft)s",
        "- - - - A A",
    ),
    rls_case(
        "courses",
        "insert",
        "a course taught by the trainer",
        "insert into public.courses (trainer_id, slug, title)"
        " values (%(trainer)s, 'mindful-eating', 'Mindful Eating')",
        "X X X X A A",
    ),
    rls_case(
        "courses",
        "update",
        "the published course's title",
        "update public.courses set title = 'Renamed' where id = %(course_published)s",
        "- - - - A A",
    ),
    rls_case(
        "courses",
        "update",
        "hand the course to the admin",
        "update public.courses set trainer_id = %(admin)s where id = %(course_published)s",
        "- - - - X A",
    ),
    rls_case(
        "courses",
        "delete",
        "the draft course",
        "delete from public.courses where id = %(course_draft)s",
        "- - - - A A",
    ),
    rls_case(
        "courses",
        "delete",
        "the published course",
        "delete from public.courses where id = %(course_published)s",
        "- - - - - A",
    ),
    # course_modules --------------------------------------------------------------------
    rls_case(
        "course_modules",
        "select",
        "a module of the published course",
        "select id from public.course_modules where id = %(module_published)s",
        "- A A A A A",
    ),
    rls_case(
        "course_modules",
        "select",
        "a module of the draft course",
        "select id from public.course_modules where id = %(module_draft)s",
        "- - - - A A",
    ),
    rls_case(
        "course_modules",
        "insert",
        "a module in the published course",
        "insert into public.course_modules (course_id, position, title)"
        " values (%(course_published)s, 3, 'Nutrition')",
        "X X X X A A",
    ),
    rls_case(
        "course_modules",
        "update",
        "a module's title",
        "update public.course_modules set title = 'Renamed' where id = %(module_published)s",
        "- - - - A A",
    ),
    rls_case(
        "course_modules",
        "delete",
        "the second module of the published course",
        "delete from public.course_modules where id = %(module_published_second)s",
        "- - - - A A",
    ),
    # lessons -------------------------------------------------------------------------
    rls_case(
        "lessons",
        "select",
        "a preview lesson of the published course",
        "select id from public.lessons where id = %(lesson_preview)s",
        "- A A A A A",
    ),
    rls_case(
        "lessons",
        "select",
        "a lesson for enrolled learners",
        "select id from public.lessons where id = %(lesson_enrolled_only)s",
        "- A A - A A",
    ),
    rls_case(
        "lessons",
        "select",
        "a lesson of the draft course",
        "select id from public.lessons where id = %(lesson_draft)s",
        "- - - - A A",
    ),
    rls_case(
        "lessons",
        "insert",
        "a lesson in the published course",
        "insert into public.lessons (module_id, course_id, position, title)"
        " values (%(module_published)s, %(course_published)s, 3, 'Caffeine')",
        "X X X X A A",
    ),
    rls_case(
        "lessons",
        "update",
        "a lesson's body",
        "update public.lessons set body = 'Edited' where id = %(lesson_enrolled_only)s",
        "- - - - A A",
    ),
    rls_case(
        "lessons",
        "delete",
        "a lesson nobody started",
        "delete from public.lessons where id = %(lesson_without_progress)s",
        "- - - - A A",
    ),
    # enrollments ------------------------------------------------------------------------
    rls_case(
        "enrollments",
        "select",
        "the participant's enrollment",
        "select id from public.enrollments where id = %(enrollment_participant)s",
        "- A - - A A",
    ),
    rls_case(
        "enrollments",
        "insert",
        "enrol yourself in the published course",
        "insert into public.enrollments (course_id, user_id) values (%(course_published)s, %(me)s)",
        "X A A A A A",
        setup="delete from public.enrollments where course_id = %(course_published)s",
    ),
    rls_case(
        "enrollments",
        "insert",
        "enrol yourself with all progress made",
        "insert into public.enrollments (course_id, user_id, progress_percent)"
        " values (%(course_published)s, %(me)s, 100)",
        "X X X X A A",
        setup="delete from public.enrollments where course_id = %(course_published)s",
    ),
    rls_case(
        "enrollments",
        "insert",
        "enrol the other participant",
        "insert into public.enrollments (course_id, user_id)"
        " values (%(course_published)s, %(other_participant)s)",
        "X X X X A A",
    ),
    rls_case(
        "enrollments",
        "insert",
        "enrol yourself in a course for distributors",
        "insert into public.enrollments (course_id, user_id) values (%(course_draft)s, %(me)s)",
        "X X A A A A",
        setup="update public.courses set is_published = true where id = %(course_draft)s",
    ),
    rls_case(
        "enrollments",
        "update",
        "drop the participant's enrollment",
        "update public.enrollments set status = 'dropped' where id = %(enrollment_participant)s",
        "- A - - A A",
    ),
    rls_case(
        "enrollments",
        "update",
        "set the participant's progress to 100",
        "update public.enrollments set progress_percent = 100"
        " where id = %(enrollment_participant)s",
        "- X - - X A",
    ),
    rls_case(
        "enrollments",
        "delete",
        "the participant's enrollment",
        "delete from public.enrollments where id = %(enrollment_participant)s",
        "- - - - A A",
    ),
    # lesson_progress -------------------------------------------------------------------
    rls_case(
        "lesson_progress",
        "select",
        "the participant's progress",
        "select id from public.lesson_progress where id = %(progress_participant)s",
        "- A - - A A",
    ),
    rls_case(
        "lesson_progress",
        "insert",
        "the participant starts a lesson",
        "insert into public.lesson_progress (enrollment_id, course_id, user_id, lesson_id)"
        " values (%(enrollment_participant)s, %(course_published)s, %(participant)s,"
        " %(lesson_without_progress)s)",
        "X A X X X A",
    ),
    rls_case(
        "lesson_progress",
        "update",
        "the participant completes a lesson",
        "update public.lesson_progress set status = 'completed', completed_at = now()"
        " where id = %(progress_participant)s",
        "- A - - - A",
    ),
    rls_case(
        "lesson_progress",
        "delete",
        "the participant's progress",
        "delete from public.lesson_progress where id = %(progress_participant)s",
        "- - - - - A",
    ),
]
