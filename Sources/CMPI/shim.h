// The MPI C API as Swift sees it. Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...)
// are macros that cast the address of a global, which Swift cannot import, so each one the
// communicator uses is returned by a small inline function instead. Built only with the MPI
// trait (`swift build --traits MPI`); see docs/distributed.md.
#include <mpi.h>

static inline MPI_Comm swiftlet_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype swiftlet_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype swiftlet_mpi_long(void) { return MPI_LONG; }
static inline MPI_Op swiftlet_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Request swiftlet_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Status *swiftlet_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Errhandler swiftlet_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline void *swiftlet_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Status *swiftlet_mpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }
