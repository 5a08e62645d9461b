package io.statusstream.spring;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/** The HTTP contract on Spring WebFlux and Reactor Netty: the same test application, as a reactive one. */
@SpringBootTest(classes = TestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {StreamHttpContract.MAX_KEYS, StreamHttpContract.CORS_ORIGIN, StreamHttpContract.CORS_CREDENTIALS,
                "spring.main.web-application-type=reactive"})
class WebFluxStreamHttpTests extends StreamHttpContract {
}
