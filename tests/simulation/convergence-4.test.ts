import { simulationBatch } from './sim-batch'

simulationBatch(3)
