/**
 * Test classes that the kit's own tests run through JUnit's {@code EngineTestKit} (two classes in
 * parallel, a schema already held, settings for the whole run). Named without the IT suffix, so
 * that failsafe does not run them by themselves. May depend on the test kit only.
 */
package dev.eventstore.testing.scenarios;
