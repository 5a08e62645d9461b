package io.statusstream.spring;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * The stuck-client contract on Spring WebFlux and Reactor Netty: the write stays in flight, no thread blocks, and the
 * engine's stuck close aborts the connection, which ends the response and frees the place.
 */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "spring.main.web-application-type=reactive")
class WebFluxStuckClientHttpTests extends StuckClientContract {
}
