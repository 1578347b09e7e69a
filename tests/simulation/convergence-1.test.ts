import { simulationBatch } from './sim-batch'

simulationBatch(0)
