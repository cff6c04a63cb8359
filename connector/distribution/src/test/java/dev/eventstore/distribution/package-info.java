/**
 * Tests of the release archive and container images: their contents, and the archive installed and
 * run as an operator would. Tests only.
 */
package dev.eventstore.distribution;
