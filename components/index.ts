/** The public API of svclab's Pulumi components: one file per component. */
